/** A short browser label from a User-Agent string, for agents skimming visitor info (not for logic). */
export function browserOf(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const os = /Windows/.test(userAgent) ? 'Windows' : /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : null;
  // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
  const browsers: [RegExp, string][] = [
    [/Edg\/(\d+)/, 'Edge'],
    [/OPR\/(\d+)/, 'Opera'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/(?:Headless)?Chrom(?:e|ium)\/(\d+)/, 'Chrome'],
    [/Version\/(\d+).*Safari/, 'Safari'],
  ];
  for (const [re, name] of browsers) {
    const m = re.exec(userAgent);
    if (m) return `${name} ${m[1]}${os ? ` on ${os}` : ''}`;
  }
  return os ?? 'Unknown browser';
}
