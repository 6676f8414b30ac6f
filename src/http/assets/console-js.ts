export const CONSOLE_JS = '';
