// Keys and locks registered without typing 64 bare hex characters (issue 9, item 1): the
// installer scans the QR code on the lock's label (a hand scanner types its text into the field),
// a mistyped character is refused in Swedish before anything is stored, the lock's printed label
// decodes back to the same key, and an expert's typed key without or with wrong check digits is
// refused on the staff page.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from '../lib/browser.mjs';
import { fixture, loginUI, visit, assertAxe, shot } from '../lib/ui.mjs';
import { newBearerKey } from '../lib/bearer.mjs';
import { keyText, newLockLabel } from '../lib/labels.mjs';
import { decodeQr } from '../lib/qr.mjs';

const f = fixture();
let browser; let page;

/** The UI's own api.js in the signed-in page. */
const inPage = (method, path, body) => page.evaluate(async ([m, pa, b]) => {
  const { api, listAll } = await import('/js/api.js');
  return m === 'LIST' ? listAll(pa) : api(m, pa, b);
}, [method, path, body]);

/** One character of the key part changed to another hex digit (what a tired hand does). */
function typo(text, at) {
  const i = text.lastIndexOf(':') + 1 + at;
  const c = text[i] === '7' ? '1' : '7';
  return text.slice(0, i) + c + text.slice(i + 1);
}

describe('keys and locks by their labels', () => {
  before(async () => { browser = await launch(); ({ page } = await newPage(browser)); await loginUI(page, f, f.admin); });
  after(async () => { await browser?.close(); });

  it('registers a lock by scanning its label; a mistyped character is refused and nothing is stored', async () => {
    const lock = newLockLabel();
    await visit(page, f, 'locks');
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Registrera lås' }) });
    await form.getByLabel('Typ', { exact: true }).selectOption('common');
    await form.getByLabel('Fastighet', { exact: true }).selectOption({ label: f.building.address });
    await form.getByLabel(/Märkning/).fill('Cykelrum');
    const before = (await inPage('LIST', '/locks')).length;
    await form.getByLabel('Koden på låsets etikett').fill(typo(lock.label, 20));
    await form.getByRole('button', { name: 'Registrera' }).click();
    const err = page.locator('.error-text:not([hidden])');
    await err.getByText(/tecken i låsets kod är felskrivet.*Inget har sparats/).waitFor();
    assert.doesNotMatch(await err.innerText(), /[a-z]+_[a-z]+|public|key|check/i, 'a Swedish sentence, no field names or English');
    assert.equal((await inPage('LIST', '/locks')).length, before, 'the mistyped key registered no lock');
    // the hand scanner types the QR code's text and presses Enter
    await form.getByLabel('Koden på låsets etikett').fill(lock.label);
    await form.getByLabel('Koden på låsets etikett').press('Enter');
    await page.getByRole('row', { name: /Cykelrum/ }).waitFor();
    const made = (await inPage('LIST', '/locks')).find((l) => l.label === 'Cykelrum');
    assert.equal(made.lock_public_key, lock.publicHex, 'the lock has the key its tool made');
    await assertAxe(null, page, 'lås (etikett)');
  });

  it("prints a lock's label whose QR code reads back as the same key", async () => {
    await page.getByRole('row', { name: /Cykelrum/ }).getByRole('link', { name: 'Etikett: Gemensamt utrymme Cykelrum' }).click();
    await page.getByRole('heading', { name: 'Etikett för Gemensamt utrymme Cykelrum', level: 1 }).waitFor();
    const made = (await inPage('LIST', '/locks')).find((l) => l.label === 'Cykelrum');
    const decoded = await decodeQr(browser, await page.locator('#lock-label-qr svg').screenshot());
    assert.match(decoded || '', /^portvakt:lock:[0-9a-f]{64}-[0-9a-f]{6}$/);
    assert.equal(decoded.slice(14, 78), made.lock_public_key, 'the printed QR code carries the registered key');
    const typed = (await page.locator('#lock-label-text').innerText()).replace(/[\s–]/g, '');
    assert.equal(typed, decoded.slice(14).replace('-', ''), 'the text under the code is the same key and check digits');
    await assertAxe(null, page, 'låsets etikett');
    await shot(page, 'lock-label');
  });

  it("refuses an expert's typed key without check digits or with a typo, and takes it with them", async () => {
    const key = newBearerKey();
    await visit(page, f, 'staff');
    const form = page.locator('form#key-form');
    await form.getByLabel('Bärare (personal)').selectOption({ index: 1 });
    await form.getByLabel('Nyckelns märkning').fill('K-0777');
    await form.getByText('Ange publik nyckel i stället (för experter)').click();
    const before = (await inPage('LIST', '/bearers')).length;
    const err = page.locator('.error-text:not([hidden])');
    await form.getByLabel('Nyckelns publika nyckel med kontrolltecken').fill(key.publicHex);
    await form.getByRole('button', { name: 'Registrera nyckel' }).click();
    await err.getByText(/Kontrolltecknen saknas/).waitFor();
    await form.getByLabel('Nyckelns publika nyckel med kontrolltecken').fill(typo(keyText(key.publicHex), 3));
    await form.getByRole('button', { name: 'Registrera nyckel' }).click();
    await err.getByText(/tecken i nyckelns kod är felskrivet/).waitFor();
    assert.equal((await inPage('LIST', '/bearers')).length, before, 'nothing stored');
    await form.getByLabel('Nyckelns publika nyckel med kontrolltecken').fill(keyText(key.publicHex).toUpperCase().replace(/(.{8})/g, '$1 '));
    await form.getByRole('button', { name: 'Registrera nyckel' }).click();
    await page.getByRole('row', { name: /^K-0777/ }).waitFor();
    const b = (await inPage('LIST', '/bearers')).find((x) => x.label === 'K-0777');
    assert.equal(b.public_key, key.publicHex);
  });
});
