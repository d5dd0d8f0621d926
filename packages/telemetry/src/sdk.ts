export interface TelemetrySdk {
  /** Flushes pending spans and metrics; call it during graceful shutdown. */
  shutdown(): Promise<void>;
  enabled: boolean;
}

/**
 * The OpenTelemetry SDK is wired only when the standard OTEL_* variables ask for it, so a default
 * install pays nothing for it; otherwise the @opentelemetry/api calls stay no-ops.
 */
export function telemetryRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== undefined && exporter !== '' && exporter !== 'none') return true;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export async function startTelemetrySdk(serviceName: string, env = process.env): Promise<TelemetrySdk> {
  if (!telemetryRequested(env)) return { enabled: false, shutdown: async () => {} };
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  // OTEL_SERVICE_NAME, when set, wins over our default name, as the specification says.
  const sdk = new NodeSDK({ serviceName: env.OTEL_SERVICE_NAME ?? `reachmap-${serviceName}` });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}
