/**
 * The one place the version lives. Build scripts read it from here (never from package.json) so that
 * `--version`, release archive names and the README cannot disagree.
 */
export const VERSION = "0.1.0";
