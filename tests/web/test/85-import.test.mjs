// The care-planning import page (central administration): a CSV file shows its changes first,
// nothing stored; applying stores them; the same file again changes nothing; a file with a
// spreadsheet formula and an unknown address is refused line by line, in Swedish, naming the
// alarm code and address, and nothing of it is stored. Also in English.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from '../lib/browser.mjs';
import { fixture, loginUI, visit, assertAxe, shot, realErrors } from '../lib/ui.mjs';

const f = fixture();
let browser; let page;
const A = f.providers.A.name; const B = f.providers.B.name;
const HEAD = 'record;alarm_code;address;apartment;provider;date\n';
const GOOD = `${HEAD}recipient;L-8001;${f.building.address};1301;${A};\nprovider_change;L-8001;;;${B};2030-06-01\n`;
const BAD = `${HEAD}recipient;L-8002;${f.building.address};;${A};\nrecipient;L-8003;Okänd väg 9;;${A};\nrecipient;L-8004;${f.building.address};;=cmd|' /C calc'!A0;\n`;

async function choose(text, name = 'planering.csv') {
  await page.getByLabel(/Fil från planeringssystemet|File from the care-planning system/)
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
}

describe('care-planning import (Swedish UI)', () => {
  before(async () => { browser = await launch(); ({ page } = await newPage(browser)); await loginUI(page, f, f.admin); });
  after(async () => { await browser?.close(); });

  it('shows the changes of a file before storing anything, then applies them', async () => {
    await visit(page, f, 'import');
    await page.getByRole('heading', { name: 'Import från planeringssystemet' }).waitFor();
    await choose(GOOD);
    await page.getByRole('button', { name: 'Visa vad som ändras' }).click();
    await page.getByText('Filen ger 1 nya brukare och 1 byten av utförare').waitFor();
    await page.getByRole('row', { name: new RegExp(`L-8001.*${A} → ${B}`) }).waitFor();
    await assertAxe(null, page, 'import, ändringar');
    await shot(page, 'admin-import-diff');
    await visit(page, f, 'recipients');
    assert.equal(await page.getByRole('row', { name: /L-8001/ }).count(), 0, 'the dry run stored nothing');

    await visit(page, f, 'import');
    await choose(GOOD);
    await page.getByRole('button', { name: 'Visa vad som ändras' }).click();
    await page.getByRole('button', { name: 'Genomför importen' }).click();
    await page.getByText('Importen är genomförd: 1 nya brukare, 1 byten av utförare').first().waitFor();
    await visit(page, f, 'recipients');
    await page.getByRole('row', { name: /L-8001/ }).waitFor();

    await visit(page, f, 'import');
    await choose(GOOD);
    await page.getByRole('button', { name: 'Visa vad som ändras' }).click();
    await page.getByText('Filen ändrar ingenting: allt stämmer redan.').waitFor();
  });

  it('refuses a hostile file line by line and stores nothing of it', async () => {
    await visit(page, f, 'import');
    await choose(BAD);
    await page.getByRole('button', { name: 'Visa vad som ändras' }).click();
    const box = page.getByRole('alert').filter({ hasText: 'Filen lästes inte in' });
    await box.waitFor();
    await box.getByText('Rad 3 (larmkod L-8003, Okänd väg 9): adressen finns inte i Portvakt; lägg till fastigheten först.').waitFor();
    await box.getByText(`Rad 4 (larmkod L-8004, ${f.building.address}): fältet utförare börjar med = + - eller @`).waitFor();
    await box.getByText('Ingenting har ändrats.').waitFor();
    await assertAxe(null, page, 'import, fel');
    await shot(page, 'admin-import-refused');
    await visit(page, f, 'recipients');
    assert.equal(await page.getByRole('row', { name: /L-8002/ }).count(), 0, 'nothing of a refused file');
    assert.deepEqual(realErrors(page), []);
  });

  it('words the refusals in English when English is chosen', async () => {
    await page.evaluate(() => localStorage.setItem('portvakt.lang', 'en'));
    await visit(page, f, 'import');
    await page.reload();
    await page.getByRole('heading', { name: 'Import from the care-planning system' }).waitFor();
    await choose(BAD);
    await page.getByRole('button', { name: 'Show what changes' }).click();
    await page.getByText('Line 3 (alarm code L-8003, Okänd väg 9): the address is not in Portvakt; add the property first.').waitFor();
    await page.evaluate(() => localStorage.setItem('portvakt.lang', 'sv'));
    assert.deepEqual(realErrors(page), []);
  });
});
