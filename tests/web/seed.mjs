// Seeds a fresh portvakt-server through its API for the browser tests and writes fixture.json:
// two providers sharing one building (so the entrance is shared), a recipient each, two planners.
// Usage: node seed.mjs <base-url> <state-dir> <admin-username> <admin-password>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, CodeLedger } from './lib/api.mjs';
import { newBearerKey } from './lib/bearer.mjs';
import { seedHex } from './lib/sim.mjs';
import { localDate } from './lib/browser.mjs';

const [base, stateDir, adminUser, adminPassword] = process.argv.slice(2);
if (!adminPassword) { console.error('usage: node seed.mjs BASE STATE_DIR ADMIN_USER ADMIN_PASSWORD'); process.exit(2); }
const ledger = new CodeLedger(join(stateDir, 'totp-ledger.json'));
const admin = new ApiClient(base);
const adminSecret = await admin.signIn(adminUser, adminPassword, process.env.PV_ADMIN_TOTP_SECRET, ledger);

const id = (x) => x.id;
const providerA = await admin.post('/providers', { name: 'Hemtjänst Söder AB', org_number: '556677-0001' });
const providerB = await admin.post('/providers', { name: 'Omsorg Norr AB', org_number: '556677-0002' });
const owner = await admin.post('/owners', { name: 'Stiftelsen Stockholmshem', org_number: '802000-0001' });
const building = await admin.post('/buildings', { owner_id: owner.id, address: 'Ringvägen 12, 118 60 Stockholm', property_ref: 'Sjöstjärnan 4' });
await admin.post('/consents', { kind: 'portfolio', owner_id: owner.id, given_on: '2026-01-15', reference: 'SH-2026-001' });

// Lock keys are Ed25519 public keys; a simulator that plays these locks gets the ids from the fixture.
const lockKeys = { aptA: newBearerKey(), aptB: newBearerKey(), entrance: newBearerKey() };
const mkLock = (kind, label, key) => admin.post('/locks', { kind, building_id: building.id, label, lock_public_key: key.publicHex });
const commission = (l) => admin.post(`/locks/${l.id}/commission`, {});
const lockAptA = await mkLock('apartment', 'lgh 1102', lockKeys.aptA);
const lockAptB = await mkLock('apartment', 'lgh 1201', lockKeys.aptB);
const lockEntrance = await mkLock('entrance', 'Port A', lockKeys.entrance);

const today = localDate();
const recipientA = await admin.post('/recipients', { alarm_code: 'L-4711', building_id: building.id, apartment: '1102', lock_id: lockAptA.id, provider_id: providerA.id, valid_from: today });
const recipientB = await admin.post('/recipients', { alarm_code: 'L-9902', building_id: building.id, apartment: '1201', lock_id: lockAptB.id, provider_id: providerB.id, valid_from: today });
await admin.post('/consents', { kind: 'recipient', recipient_id: recipientA.id, given_on: today, reference: 'Samtycke 4711' });
await admin.post('/consents', { kind: 'recipient', recipient_id: recipientB.id, given_on: today, reference: 'Samtycke 9902' });
// An apartment lock is commissioned once it is linked to a recipient's alarm code.
for (const l of [lockAptA, lockAptB, lockEntrance]) await commission(l);

const mkUser = async (username, display_name, role, provider_id) => {
  const u = await admin.post('/users', { username, display_name, role, provider_id });
  return { id: u.user?.id ?? u.id, username, password: u.initial_password, display_name, role, provider_id };
};
const plannerA = await mkUser('pia.soder', 'Pia Planerare', 'planner', providerA.id);
const plannerB = await mkUser('bo.norr', 'Bo Planerare', 'planner', providerB.id);
// Provider B has a staff member with a key and a right, so there is something of B's to leak.
const plannerBClient = new ApiClient(base);
plannerB.secret = await plannerBClient.signIn(plannerB.username, plannerB.password, null, ledger);
const staffB = await plannerBClient.post('/staff', { display_name: 'Nils Norr', employee_ref: 'N-1', provider_id: providerB.id });
const keyB = newBearerKey();
const bearerB = await plannerBClient.post('/bearers', { staff_id: staffB.id, kind: 'fob', label: 'K-9001', public_key: keyB.publicHex });
await plannerBClient.post('/rights', { staff_id: staffB.id, recipient_id: recipientB.id, kind: 'standing', valid_from: today, windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '07:00', to: '22:00' }] });

// Provider A's sync station is the simulator (`portvakt-sim visit`): it registers its station
// and reads A's access log with a provider administrator's token, scoped to A.
const stationToken = await admin.post('/tokens', { name: 'synkstation (portvakt-sim)', role: 'provider_admin', provider_id: providerA.id });

const fixture = {
  base,
  admin: { username: adminUser, password: adminPassword, secret: adminSecret },
  providers: { A: providerA, B: providerB },
  owner, building,
  locks: { aptA: lockAptA, aptB: lockAptB, entrance: lockEntrance },
  lockSeeds: Object.fromEntries(Object.entries(lockKeys).map(([k, v]) => [k, seedHex(v.privateKey)])),
  recipients: { A: recipientA, B: recipientB },
  planners: { A: plannerA, B: plannerB },
  staffB: { staff: staffB, bearer: bearerB },
  tokens: { stationA: stationToken.secret },
};
writeFileSync(join(stateDir, 'fixture.json'), JSON.stringify(fixture, null, 1));
console.log(`seeded: providers ${[providerA, providerB].map(id)}, recipients ${[recipientA, recipientB].map(id)}, locks ${[lockAptA, lockAptB, lockEntrance].map(id)}`);
