export * from './connection.ts';
export * from './embedded-redis.ts';
export * from './queue-names.ts';
export * from './redis-compatibility.ts';
export * from './redis-target.ts';
export * from './resolve-redis.ts';
