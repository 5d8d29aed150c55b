const Sequencer = require('@jest/test-sequencer').default;

/**
 * Files that build and run whole copies of the project take a minute or more each. Jest orders a
 * first run (no timings cached yet, as on CI) by file size, which can leave one of them to start
 * last and run alone; started first, they overlap with the short files instead.
 */
const SLOW = [
  'embedded.e2e-spec.ts',
  'generate-resource.e2e-spec.ts',
  'migration-cli.e2e-spec.ts',
  'config.e2e-spec.ts',
];

const rank = (test) => {
  const index = SLOW.findIndex((name) => test.path.endsWith(`/${name}`));
  return index === -1 ? SLOW.length : index;
};

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;
