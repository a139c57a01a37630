import { describe, expect, it } from 'vitest';
import { searchWords, unicodeSearchWords } from './search-words.js';

describe('searchWords', () => {
  it('splits plain ASCII exactly as the full Unicode path does', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const samples = ['Printer on FIRE!!', 'xavier@quill.test wrote: order #44123, ref A-1/b_2', "don't\tstop\r\n\u0000end", '', '   ', 'ÀB'.slice(1)];
    for (let i = 0; i < 2000; i++) samples.push(Array.from({ length: 1 + Math.floor(rand() * 60) }, () => String.fromCharCode(Math.floor(rand() * 128))).join(''));
    for (const s of samples) expect(searchWords(s), JSON.stringify(s)).toEqual(unicodeSearchWords(s));
  });

  it('folds and splits the rest', () => {
    expect(searchWords('Café ＡＢＣ 東京の支店')).toEqual(['cafe', 'abc', '東京', '京の', 'の支', '支店']);
  });
});
