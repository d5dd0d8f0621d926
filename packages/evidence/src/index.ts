export * from './evidence-store.ts';
