'use strict';
// The grpc-node (@grpc/grpc-js-xds) client of ConformanceMatrixTest, bootstrapped from
// GRPC_XDS_BOOTSTRAP. Reads one command a line on stdin and answers each with one line on stdout:
//   call TARGET [DEADLINE_MS]  ->  "ok REPLY" or "err CODE DESCRIPTION" (deadline 10 s by default)
// Channels are kept per target. Prints "ready" once loaded; ends when stdin closes.
const grpc = require('@grpc/grpc-js');
const xds = require('@grpc/grpc-js-xds');
const readline = require('readline');

xds.register();
const codes = Object.fromEntries(Object.entries(grpc.status).map(([k, v]) => [v, k]));
const clients = new Map();
const identity = (b) => b;

function client(target) {
  if (!clients.has(target)) {
    const creds = process.env.TRELLIS_XDS_CREDENTIALS === 'xds'
      ? new xds.XdsChannelCredentials(grpc.credentials.createInsecure())
      : grpc.credentials.createInsecure();
    clients.set(target, new grpc.Client(target, creds));
  }
  return clients.get(target);
}

const queue = [];
let busy = false;
function next() {
  if (busy || queue.length === 0) return;
  busy = true;
  const parts = queue.shift().trim().split(' ');
  const done = (line) => { process.stdout.write(line + '\n'); busy = false; next(); };
  if (parts[0] !== 'call' || parts.length < 2) return done('err UNKNOWN_COMMAND ' + parts.join(' '));
  const ms = parts.length > 2 ? Number(parts[2]) : 10000;
  const options = ms > 0 ? { deadline: new Date(Date.now() + ms) } : {};
  try {
    client(parts[1]).makeUnaryRequest('/trellis.e2e.Echo/Who', identity, identity,
      Buffer.from('who'), new grpc.Metadata(), options, (err, reply) => {
        if (err) done('err ' + (codes[err.code] || err.code) + ' ' + String(err.details).replace(/\n/g, ' '));
        else done('ok ' + reply.toString('utf8'));
      });
  } catch (e) {
    done('err CLIENT_EXCEPTION ' + String(e).replace(/\n/g, ' '));
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => { queue.push(line); next(); });
rl.on('close', () => { for (const c of clients.values()) c.close(); process.exit(0); });
process.stdout.write('ready\n');
