// undersigned init: a new letter and a commented mirror configuration for it (node/config.ts),
// private by default: everything on loopback, no peers.

import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createLetter, formatLetter, letterIdHex, type Letter } from '../../../core/letter.ts';
import { utf8Decode, utf8Encode } from '../../../core/bytes.ts';
import { readWholeFile, writeFileDurably } from '../../files.ts';
import { integer, optional, required, type Command } from '../command.ts';

const LETTER_FILE = 'letter.txt';
const CONFIG_FILE = 'undersigned.conf';

export const init: Command = {
  name: ['init'],
  summary: 'write a new letter and a commented mirror configuration for it',
  usage: `undersigned init --title TITLE --text FILE [--dir DIR] [--stamp-bits N]

  --title TITLE    the letter's title (one line)
  --text FILE      the letter's text, Markdown (canonicalized: NFC, LF, no trailing spaces)
  --dir DIR        where to write ${LETTER_FILE} and ${CONFIG_FILE} (default: the current directory)
  --stamp-bits N   proof-of-work difficulty each signature must meet, 0 to 32 (default 0)

Refuses to overwrite either file. The configuration serves on loopback only, with no peers;
each line says what it does and what it reveals. Run the mirror with
  undersigned node --config DIR/${CONFIG_FILE}`,
  flags: {
    title: { type: 'string' },
    text: { type: 'string' },
    dir: { type: 'string' },
    'stamp-bits': { type: 'string' },
  },
  async run(values, io) {
    const letter = createLetter({
      title: required(values, 'title'),
      text: utf8Decode(await readWholeFile(required(values, 'text'))),
      stampBits: integer(values, 'stamp-bits', 0, 32),
    });
    const dir = optional(values, 'dir') ?? '.';
    await mkdir(dir, { recursive: true });
    // Policy: never replace an operator's letter or configuration.
    await writeFileDurably(join(dir, LETTER_FILE), formatLetter(letter), { exclusive: true });
    await writeFileDurably(join(dir, CONFIG_FILE), utf8Encode(formatInitConfig(letter)), {
      exclusive: true,
    });
    io.stdout.write(
      [
        `letter id  ${letterIdHex(letter)}`,
        `wrote      ${join(dir, LETTER_FILE)}, ${join(dir, CONFIG_FILE)}`,
        `run        undersigned node --config ${join(dir, CONFIG_FILE)}`,
        '',
      ].join('\n')
    );
    return 0;
  },
};

/** The commented configuration `init` writes for `letter`. */
export function formatInitConfig(letter: Letter): string {
  return `# Undersigned mirror of the letter ${JSON.stringify(letter.title)}
# letter ID ${letterIdHex(letter)}
#
# Run it with: undersigned node --config ${CONFIG_FILE}
# One "key = value" a line: "quoted strings", whole numbers, true or false; keys marked
# (repeatable) may appear on several lines. Flags on the command line override this file.
# Relative paths are relative to this file's directory. See docs/OPERATORS.md.

# The letter this mirror's log holds. Public: served at /letter, its ID is in every checkpoint.
letter = "${LETTER_FILE}"

# The data directory: the log key, the log, the peer key and blocks (mode 0700). It holds no
# submission times and no network addresses. Back up data/keys/log.key and data/peer-key.
data = "data"

# Where the HTTP API, the log and the web client are served. Loopback: only this machine can
# connect. To publish, put a TLS reverse proxy in front (docs/OPERATORS.md); the proxy, not
# this node, then sees visitors' IP addresses, and must be told not to log them.
http = "127.0.0.1:8470"

# Submissions are sequenced into the log every this many milliseconds, in a shuffled order.
# Longer batches mix more signers together, so a signer's position says less about when
# they signed; shorter ones answer faster.
batch-ms = 1000

# libp2p listen addresses (repeatable): TCP and WebSockets for other mirrors, WebRTC-Direct
# (UDP) for browsers. Loopback: no other machine can connect. On a public address, anyone who
# connects learns this machine's IP address, its peer ID and every listen address.
listen = "/ip4/127.0.0.1/tcp/8471"
listen = "/ip4/127.0.0.1/tcp/8472/ws"
listen = "/ip4/127.0.0.1/udp/8471/webrtc-direct"

# Addresses announced instead of the listen ones (repeatable), to peers and in /info: behind a
# TLS proxy, its public name, so that other mirrors and browsers (live updates) can reach it.
# announce = "/dns4/undersigned.example.org/tcp/8443/wss"

# Peers (repeatable): the only nodes this mirror ever dials, each /p2p/<peer id> at the end.
# None: it dials no one. Each peer you add learns this machine's IP address and peer ID, and
# sees when and how much it sends.
# peer = "/dns4/mirror.example.org/tcp/8471/p2p/12D3KooW..."

# Other mirrors whose logs to follow over HTTP (repeatable). None. Each one sees this
# machine's IP address every time it is polled.
# follow = "https://mirror.example.org/"

# The HTTPS URL this log is announced under (repeatable). None: the --http address is used.
# Public once set: it is in every announcement this node gossips.
# public-url = "https://undersigned.example.org/"

# Start from an offline copy made by undersigned export (verified before use). Reveals nothing.
# seed = "copy.car"

# Run without libp2p: no gossip, no peers; following over HTTP still works.
# no-p2p = true

# Operational logs on stderr: "text" (default) or "json" (one object a line, for a journal).
# Either way they hold no network address, no entry and no time of any one submission.
# log-format = "json"

# GET /metrics (Prometheus text) is served by default: counts and sizes, nothing about a
# signer. Block it at the public reverse proxy (docs/OPERATORS.md), or turn it off here.
# no-metrics = true
`;
}
