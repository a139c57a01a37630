import { describe, expect, it } from 'vitest';
import { browserOf } from './visitor-info.js';

describe('browserOf', () => {
  it('names the browser and system agents see in the visitor info', () => {
    expect(browserOf('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36')).toBe('Chrome 126 on Linux');
    expect(browserOf('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0.2210.91')).toBe('Edge 120 on Windows');
    expect(browserOf('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15')).toBe('Safari 17 on macOS');
    expect(browserOf('Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0')).toBe('Firefox 121 on Android');
    expect(browserOf('curl/8.5.0')).toBe('Unknown browser');
    expect(browserOf(null)).toBeNull();
  });
});
