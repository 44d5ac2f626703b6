/**
 * The load generator of `npm run load`, run as its own process: autocannon with a mix of the
 * service's requests (see bench/load.ts). Prints autocannon's result as JSON.
 * Usage: load-client <base-url> <seconds> <connections>
 */
import autocannon from 'autocannon';

const [baseUrl, seconds, connections] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const json = { 'content-type': 'application/json' };
const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];
const PANDA_Q = [0.1, -0.4, 0.2, -2.1, 0.1, 1.8, 0.7, 0.02];
const TARGET = { position: [0.45, 0.15, 0.35], quaternion: [0.7071068, 0.7071068, 0, 0] };
let uploads = 0;

function urdf(id: string, variant: number): string {
  return `<robot name="${id}"><link name="base"/><link name="tool"/><joint name="j" type="revolute">`
    + `<origin xyz="${(0.2 + variant * 0.1).toFixed(1)} 0 0"/><parent link="base"/><child link="tool"/><axis xyz="0 0 1"/>`
    + '<limit lower="-1" upper="1" effort="1" velocity="1"/></joint></robot>';
}

// uploads and deletes cycle through 16 ids, so the number of robots stays bounded
const requests: autocannon.Request[] = [
  { method: 'POST', path: '/robots/ur5e/fk', headers: json, body: JSON.stringify({ q: UR5E_Q, links: ['tool0'] }) },
  { method: 'POST', path: '/robots/franka_panda/jacobian', headers: json, body: JSON.stringify({ q: PANDA_Q, tip: 'panda_hand_tcp', analysis: true }) },
  { method: 'POST', path: '/robots/ur5e/ik/step', headers: json, body: JSON.stringify({ q: UR5E_Q, target: TARGET }) },
  { method: 'POST', path: '/robots/ur5e/ik/solve', headers: json, body: JSON.stringify({ target: TARGET, seed: UR5E_Q }) },
  { method: 'POST', path: '/robots/ur5e/jacobian/batch', headers: json, body: JSON.stringify({ qs: Array.from({ length: 50 }, () => UR5E_Q) }) },
  {
    method: 'POST', headers: { 'content-type': 'application/xml' },
    setupRequest: (request) => {
      const n = uploads++;
      const id = `load_${n % 16}`;
      return { ...request, path: `/robots?id=${id}`, body: urdf(id, n % 3) };
    },
  },
  { method: 'DELETE', setupRequest: (request) => ({ ...request, path: `/robots/load_${(uploads * 7) % 16}` }) },
  { method: 'POST', path: '/robots/ur5e/jacobian', headers: json, body: JSON.stringify({ q: [1, 2] }) },
  { method: 'POST', path: '/robots/nope/fk', headers: json, body: JSON.stringify({ q: UR5E_Q }) },
  { method: 'POST', path: '/robots/ur5e/jacobian', headers: json, body: '{"q": [0,' },
  { method: 'GET', path: '/robots' },
];

const result = await autocannon({ url: baseUrl, connections, duration: seconds, requests, timeout: 10 });
console.log(JSON.stringify(result));
