/**
 * Every number the classifier decides with, in one place. They are docs/techniques.md's "Starting thresholds",
 * meant to be tuned against the lab and real data; docs/methodology.md explains each one. Changing a
 * value changes verdicts, so bump CLASSIFIER_VERSION with it.
 */

/**
 * HTTP body-length ratio (shorter / longer) below which the page is "different". OONI
 * web_connectivity's body_proportion threshold (ooni/probe-cli, webconnectivity summary; 0.7).
 */
export const HTTP_BODY_RATIO_MIN = 0.7;

/**
 * A connection counts as stalled when nothing arrived for at least this long. docs/techniques.md's stall rule;
 * the June 2025 Russian cap leaves flows silent without an RST (Cloudflare blog 2025-06-26,
 * net4people/bbs#490), so a long silence rather than a failure is the signal.
 */
export const STALL_MIN_SILENCE_S = 5;

/**
 * The silence must start after 8-64 KB: the observed cap sits at ~16-20 KB (10-25 packets), and the
 * window around it tolerates different MSS and initial windows (Cloudflare 2025-06-26, net4people/bbs#490).
 */
export const STALL_MIN_BYTES_BEFORE = 8 * 1024;
export const STALL_MAX_BYTES_BEFORE = 64 * 1024;

/**
 * Stalled fresh connections needed (of the usual 5). The cap does not hit every flow, so we ask for a
 * majority of the 5 rather than all of them (docs/techniques.md: "≥ 3 of 5 fresh connections").
 */
export const STALL_MIN_CONNECTIONS = 3;

/** The control must deliver at least this much, far past the cap, to show the path itself is fine (docs/techniques.md). */
export const STALL_CONTROL_MIN_BYTES = 256 * 1024;

/**
 * Goodput ceiling for "throttled", in bit/s: the lower of 1 Mbit/s and a tenth of the control's.
 * Observed policers sit far below it: Twitter in RU 2021 at 130-150 kbit/s (Censored Planet, IMC 2021),
 * YouTube in RU 2024 at ~128 kbit/s over TCP (Meduza 2024-08-06).
 */
export const THROTTLE_MAX_GOODPUT_BPS = 1_000_000;
export const THROTTLE_MAX_CONTROL_RATIO = 0.1;

/** Throttled connections needed (of the usual 5), as for stalls (docs/techniques.md). */
export const THROTTLE_MIN_CONNECTIONS = 3;

/**
 * A policer gives a flat rate; congestion gives variance (Censored Planet, IMC 2021). A connection is
 * "flat" when the coefficient of variation of its 1-s goodput samples is below this (docs/techniques.md).
 */
export const THROTTLE_MAX_CV = 0.3;

/**
 * A policer on a lossy line: a lost packet's retransmission empties part of a second and the refilled
 * bucket lets the next one catch up, so whole seconds swing while the connection's rate does not.
 * Measured in the kernel lab (128 kbit/s police under 3 % loss, 68 connections, fuzz world 41204033):
 * 1-s CV median 0.25, 90th percentile 0.43, highest 0.55, yet every connection's goodput within
 * 113-142 kbit/s. Such a connection still marks a rate cap when its CV is below
 * `THROTTLE_LOSSY_MAX_CV` and its goodput is within `THROTTLE_SAME_RATE_TOLERANCE` of the median of the
 * slow connections: congestion neither repeats one rate on every fresh connection nor stays under
 * this CV (the swings of a congested path are the size of its rate). Our choice, from that run; checked
 * since on 121 policed measurements of four more worlds (docs/lab.md, "The lossy-line thresholds").
 */
export const THROTTLE_LOSSY_MAX_CV = 0.6;
export const THROTTLE_SAME_RATE_TOLERANCE = 0.25;

/**
 * Fewest whole seconds of samples, after the first, for a coefficient of variation to mean anything.
 * Our choice: with one or two samples every run looks flat.
 */
export const THROTTLE_MIN_SECONDS = 3;

/**
 * Confidence: each independent observation that agrees with the verdict halves the remaining doubt
 * (docs/methodology.md, "Confidence"). Our choice, not an external source.
 */
export const DOUBT_LEFT_PER_OBSERVATION = 0.5;
