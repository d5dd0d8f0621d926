export * from './bundle-signature.ts';
export * from './config-signature.ts';
export * from './keys.ts';
export * from './measurement-signature.ts';
export * from './request-signature.ts';
