/** Jest runs the TypeScript sources through ts-jest as CommonJS; type checking is `npm run typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^board$': '<rootDir>/boards/sim/board.ts' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true, types: ['node', 'jest'] }, diagnostics: false }],
  },
  testTimeout: 60000,
};
