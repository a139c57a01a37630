import { useEffect, useRef, useState } from 'react';
import { Icon } from '../../components/icons.js';
import { t } from '../../lib/i18n.js';

/**
 * Mail HTML is shown in a sandboxed frame: no scripts (no allow-scripts), no forms, its own CSP,
 * links open outside. The server already sanitised it and turned remote images into data-src;
 * they load only after the agent clicks "Show images". allow-same-origin (without scripts) is
 * what lets us size the frame to its content.
 */
const BASE_CSS = `html,body{background:transparent}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:${'#1d2433'};word-wrap:break-word;overflow-wrap:anywhere}
img{max-width:100%;height:auto}blockquote{margin:0 0 0 .5em;padding-left:.75em;border-left:3px solid #c8ced8;color:#555}
table{max-width:100%}pre{white-space:pre-wrap}a{color:#2f5bd3}p{margin:0 0 .75em}`;
// The frame must share the page's color-scheme, or Chromium paints it an opaque white.
const DARK_CSS = ':root{color-scheme:dark}html,body{background:transparent}body{color:#e4e8f0}a{color:#8fb0ff}blockquote{border-color:#445;color:#aab}';

export function hasRemoteImages(html: string): boolean {
  return /<img\b[^>]*\bdata-src=/i.test(html);
}

export function srcdocFor(html: string, showImages: boolean, dark: boolean): string {
  const body = showImages ? html.replace(/<img\b([^>]*?)\bdata-src=/gi, '<img$1src=') : html;
  const imgSrc = showImages ? "img-src data: cid: https: http: 'self'" : "img-src data: cid: 'self'";
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; ${imgSrc}; style-src 'unsafe-inline'"><base target="_blank"><style>${BASE_CSS}${dark ? DARK_CSS : ''}</style></head><body>${body}</body></html>`;
}

export function MailFrame({ html, title }: { html: string; title: string }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const [show, setShow] = useState(false);
  const [height, setHeight] = useState(60);
  const remote = hasRemoteImages(html);
  const dark = document.documentElement.dataset.theme === 'dark';

  useEffect(() => {
    const frame = ref.current;
    if (!frame) return;
    const measure = () => {
      const doc = frame.contentDocument;
      if (doc?.documentElement) setHeight(Math.min(Math.max(doc.documentElement.scrollHeight, 24), 4000));
    };
    frame.addEventListener('load', measure);
    // Images arriving later change the height.
    const timer = setInterval(measure, 500);
    const stop = setTimeout(() => clearInterval(timer), 5000);
    return () => {
      frame.removeEventListener('load', measure);
      clearInterval(timer);
      clearTimeout(stop);
    };
  }, [html, show]);

  return (
    <div className="mail-frame">
      {remote && !show && (
        <div className="remote-images">
          <Icon name="image" /> {t('message.remoteBlocked')}
          <button type="button" className="button small" onClick={() => setShow(true)}>
            {t('message.showImages')}
          </button>
        </div>
      )}
      <iframe
        ref={ref}
        title={title}
        sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        srcDoc={srcdocFor(html, show, dark)}
        style={{ height }}
      />
    </div>
  );
}
