module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  testRegex: 'test/.*\\.e2e-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.js',
  testTimeout: 60000,
  // A test that fails half-way can leave an app's timers behind (lock extension, a Redis client
  // reconnecting to a stopped server); jest would then wait for them forever instead of reporting.
  forceExit: true,
};
