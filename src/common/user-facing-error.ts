/**
 * An error whose message alone tells the person running a command what is wrong and what to do:
 * entry points print it as one line, without a stack.
 */
export class UserFacingError extends Error {}
