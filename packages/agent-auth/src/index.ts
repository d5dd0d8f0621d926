export * from './keys.ts';
export * from './request-signature.ts';
export * from './config-signature.ts';
