import { Sha256 } from './sha256';
import { Sha512 } from './sha512';
import type { HashAlgorithm, Hash, HashFactory } from './types';

/** The TypeScript SHA-256/SHA-512 of this directory: the default wherever no native digest is given. */
export const portableHash: HashFactory = (algorithm: HashAlgorithm): Hash => (algorithm === 'SHA-256' ? new Sha256() : new Sha512());
