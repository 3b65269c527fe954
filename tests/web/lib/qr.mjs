// Reading a QR code the way a camera or hand scanner sees it: the page's PNG screenshot of the
// code, drawn on a canvas in a blank page and decoded with jsQR (pinned in package-lock.json).
import { createRequire } from 'node:module';
import { newPage } from './browser.mjs';

const require = createRequire(import.meta.url);
const jsQR = require('jsqr');

/** The text of the QR code in `png` (a Buffer), or null when none can be read. */
export async function decodeQr(browser, png) {
  const { page: blank } = await newPage(browser);
  await blank.setContent('<canvas id="c"></canvas>');
  const px = await blank.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.getElementById('c');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    return { w: img.width, h: img.height, data: Array.from(g.getImageData(0, 0, img.width, img.height).data) };
  }, png.toString('base64'));
  await blank.context().close();
  const code = jsQR(Uint8ClampedArray.from(px.data), px.w, px.h);
  return code ? code.data : null;
}
