// Host-only packages without typings; sim/xs/xsnap.node.ts narrows what it uses.
declare module '@agoric/xsnap';
declare module 'tmp';
declare module '@endo/init';
