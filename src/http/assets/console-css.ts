export const CONSOLE_CSS = 'body{}';
