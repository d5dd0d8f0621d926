export * from './catalogue-addresses.ts';
export * from './catalogue-document.ts';
export * from './catalogue-schema.ts';
export * from './judges.ts';
export * from './lab-catalogue.ts';
export * from './load-catalogue.ts';
export * from './loopback-catalogue.ts';
