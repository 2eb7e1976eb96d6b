// Every sentence the web client shows, in one place, so that the app can be translated: a
// translation is another object of the same type. Numbers go through Intl.NumberFormat. Text
// that comes from mirrors (names, affiliations, URLs, error messages) is passed in as arguments
// and rendered by Svelte as text, never as HTML.

const number = new Intl.NumberFormat('en');

/** A whole number for display, with thousands separators. */
export function formatNumber(n: number): string {
  return number.format(Math.round(n));
}

function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.ceil(seconds % 60)} s`;
}

export const strings = {
  appName: 'Undersigned',
  lang: 'en',
  nav: {
    label: 'Sections',
    letter: 'Letter',
    sign: 'Sign',
    mine: 'My signature',
    verify: 'Verify',
    mirrors: 'Mirrors',
  },
  boot: {
    starting: 'Reading the letter from the mirrors…',
    noMirrors:
      'No mirror to read from. Add a mirror URL under “Mirrors”, or open this page with #mirrors=<URL> at the end of its address.',
    noLetter: 'None of the mirrors in use served the letter.',
    wrongLetter: 'The letter a mirror served does not match its letter ID; it was ignored.',
  },
  count: {
    heading: 'Signatures',
    verifiedLabel: 'verified signatures',
    states: {
      idle: 'Not verified yet',
      verifying: 'Verifying…',
      verified: 'Verified',
      failed: 'Verification failed',
    },
    explain:
      'This number was counted by this page from the logs themselves: every signature checked, every log checked against its signed checkpoint. No server was trusted for it.',
    lastVerified: 'Last verified count; checking newer entries.',
    from: 'Verified from',
    logsAgree: (agree: number, logs: number) =>
      `${formatNumber(agree)} of ${plural(logs, 'log agrees', 'logs agree')} on this count.`,
    logCount: (count: number, entries: number) =>
      `${plural(count, 'signature', 'signatures')} in ${plural(entries, 'entry', 'entries')}`,
    cosignatures: 'Cosignatures (witnesses vouching for this checkpoint)',
    cosignedBy: (name: string) => `cosigned by ${name}`,
    cosignUnchecked: (name: string) =>
      `signature line by ${name} (key not known here, not checked)`,
    noCosignatures: 'No cosignatures on this checkpoint yet.',
    stale:
      'The log has grown since it was verified. Verify again under “Verify” to count the new entries.',
    noLogs: 'The mirrors in use serve no log of this letter.',
  },
  chart: {
    heading: 'By affiliation',
    explain: (k: number) =>
      `Affiliations are what signers typed; nobody checked them. Affiliations with fewer than ${k} signers are shown only together, so that a small group does not point at a person.`,
    none: 'No affiliation given',
    folded: (k: number) => `Fewer than ${k} signers each`,
    signers: (n: number) => plural(n, 'signer', 'signers'),
    empty: 'No signatures yet.',
  },
  alarm: {
    heading: 'Warning: a mirror served data that does not verify',
    mirror: (mirror: string, message: string) =>
      `The mirror ${mirror} served a log that does not verify (${message}). Its data was not counted. It may be broken or lying; do not trust a count from it.`,
    log: (mirror: string, message: string) =>
      `The log served by ${mirror} contradicts a checkpoint this browser verified before (${message}). A log that contradicts itself has lied; both checkpoints are kept as evidence.`,
  },
  sign: {
    heading: 'Sign this letter',
    intro:
      'Signing makes a new key on this device, used only for this letter. Your signature is public and permanent in every mirror’s log; it holds only what you type below.',
    name: 'Display name (optional)',
    nameHelp:
      'Public forever, in every mirror, next to your signature. Leave it empty to sign without a name.',
    affiliation: 'Affiliation (optional)',
    affiliationHelp: (k: number) =>
      `Public forever, like the name. It is only what you type: nobody checks it. If fewer than ${k} people give the same affiliation, it may be enough to identify you.`,
    smallGroup: (n: number, k: number) =>
      n === 0
        ? `Nobody has signed with this affiliation yet. You would be the only one, so it could point at you. Consider leaving it empty, or a broader one.`
        : `Only ${plural(n, 'person has', 'people have')} signed with this affiliation (fewer than ${k}). With you the group stays small and could point at you.`,
    fieldProblem: (problem: string) => `This field ${problem}.`,
    mirrors: 'Send the signature to',
    mirrorsHelp:
      'Each mirror you send it to sees your IP address and the time, unless you use Tor or a VPN. Sending to several mirrors makes it harder for one to leave you out.',
    submit: 'Sign the letter',
    noMirrorChosen: 'Choose at least one mirror.',
    phases: {
      key: 'Making your key…',
      stamp: 'Doing the anti-spam work (proof of work)…',
      submit: 'Sending to the mirrors…',
      backup: 'Encrypting the backup of your key…',
    },
    stampLabel: 'Anti-spam work',
    done: 'Signed. Here is your receipt.',
    failed: 'No mirror accepted the signature.',
    mirrorAccepted: (mirror: string, index: number) =>
      `${mirror}: accepted as entry ${formatNumber(index)}`,
    mirrorRefused: (mirror: string, message: string) => `${mirror}: not accepted (${message})`,
    another: 'Sign again with a new key',
  },
  key: {
    heading: 'What happens to your key',
    keep: 'Keep it on this device',
    keepHelp:
      'You can withdraw your signature later from this browser. Anyone who gets into this browser can see that you signed, and which signature is yours. The browser may delete it (Safari does after 7 days without a visit).',
    backup: 'Download an encrypted backup, and keep nothing here',
    backupHelp:
      'You get a file locked with a passphrase. With the file and the passphrase you can withdraw later, from any device. Without the passphrase the file reveals nothing. Lose either and the key is gone.',
    forget: 'Forget it right after signing',
    forgetHelp:
      'Nothing on this device or in a file can show that you signed. You can never withdraw: a signature without its key stays in the count for good.',
    passphrase: 'Passphrase for the backup',
    passphraseAgain: 'The same passphrase again',
    passphraseHelp:
      'At least 12 characters; several random words are best. There is no way to recover it.',
    passphraseShort: 'The passphrase needs at least 12 characters.',
    passphraseMismatch: 'The two passphrases differ.',
    downloadBackup: 'Download the encrypted key backup',
  },
  receipt: {
    heading: 'Receipt',
    explain:
      'The receipt proves that your signature is in a log, without your key. Keep it to check later that it is still there. Whoever finds it can tell that whoever kept it signed.',
    download: 'Download the receipt',
    fileName: (index: number) => `undersigned-receipt-${index}.txt`,
  },
  mine: {
    heading: 'My signature',
    keptKey: 'A key for this letter is kept on this device.',
    noKeptKey: 'No key for this letter is kept on this device.',
    storedReceipts: 'Receipts kept with it',
    check: 'Check this receipt',
    upload: 'Or check a receipt file',
    checking: 'Checking against the logs…',
    checkOk: (index: number, receiptSize: number, todaySize: number, mirror: string) =>
      `Still there: entry ${formatNumber(index)} of the log, included in its tree of ${formatNumber(receiptSize)} entries, and that tree is part of the log today (${formatNumber(todaySize)} entries, read from ${mirror}).`,
    checkKind: (kind: string) =>
      kind === 'withdraw'
        ? 'This is the receipt of a withdrawal.'
        : 'This is the receipt of a signature.',
    checkFields: (name: string, affiliation: string) =>
      `Name: ${name === '' ? '(none)' : name}. Affiliation: ${affiliation === '' ? '(none)' : affiliation}.`,
    checkFailed: (message: string) => `This receipt does not check out: ${message}`,
    withdrawHeading: 'Withdraw my signature',
    withdrawExplain:
      'Withdrawing adds a signed withdrawal to the logs: your signature stops counting. Both stay public in the logs. It cannot be undone with the same key.',
    withdraw: 'Withdraw my signature',
    withdrawn: 'Withdrawn. The count drops once the logs include it.',
    restore: 'Restore a key from a backup file',
    restoreFile: 'Backup file',
    restorePassphrase: 'Passphrase',
    restoreButton: 'Open the backup',
    restored: 'Key restored for this session (not kept on this device).',
    restoreWrongLetter: 'This backup is for another letter.',
    forgetKey: 'Forget the kept key',
    forgotten: 'The key and its receipts were deleted from this browser.',
    backupKept: 'Download an encrypted backup of the kept key',
  },
  verify: {
    heading: 'Verify the count yourself',
    explain:
      'Full verification reads every entry of every log from the mirrors, checks each log against its signed checkpoint and every signature, on all your processor cores. A checkpoint verified before on this device must be consistent with every newer one.',
    start: 'Verify again',
    cancel: 'Cancel',
    cancelled: 'Verification cancelled.',
    progressLabel: 'Verification progress',
    progress: (done: number, total: number) =>
      `${formatNumber(done)} of ${plural(total, 'entry', 'entries')}`,
    rate: (perSecond: number) => `${formatNumber(perSecond)} entries per second`,
    left: (seconds: number | undefined) =>
      seconds === undefined ? '' : `about ${duration(seconds)} left`,
    logHeading: (origin: string) => `Log ${origin}`,
    logOk: (mirror: string, treeSize: number) =>
      `verified from ${mirror} at ${plural(treeSize, 'entry', 'entries')}`,
    logFailed: (mirror: string, message: string) =>
      `could not be verified from ${mirror}: ${message}`,
    rejectedHeading: 'Rejected entries (not counted)',
    rejectedNone: 'No rejected entries.',
    rejected: (index: number, reason: string) => `entry ${formatNumber(index)}: ${reason}`,
    rejectedMore: (n: number) => `and ${plural(n, 'more', 'more')}`,
    reasons: {
      MALFORMED_ENTRY: 'malformed',
      WRONG_LETTER: 'for another letter',
      INSUFFICIENT_STAMP: 'missing its anti-spam work',
      BAD_ENTRY_SIGNATURE: 'bad signature',
    } as Record<string, string>,
  },
  mirrors: {
    heading: 'Mirrors',
    explain:
      'This page reads the logs from these mirrors over HTTP and trusts none of them: everything is verified here. It talks to no other host. Mirrors see your IP address and what you read.',
    inUse: 'Mirrors in use',
    remove: (mirror: string) => `Remove ${mirror}`,
    add: 'Add a mirror URL',
    addButton: 'Add',
    invalid: 'That is not an http or https URL.',
    apply: 'Use this list (reloads the page)',
    reset: 'Go back to the default list',
    pending: 'Changes apply when the page reloads.',
    status: {
      ok: 'serves this letter',
      otherLetter: 'serves another letter',
      unreachable: 'could not be reached',
    },
    live: 'Live updates over libp2p (reloads the page)',
    liveHelp:
      'Without live updates, this page asks the mirrors for a new checkpoint every few seconds. With them, it also keeps a WebSocket open to each mirror that offers one and listens on the letter’s gossip topic, so a new signature shows as soon as a mirror announces it. The mirrors then see your IP address for as long as the page is open, and a random identity made for this page; the page sends nothing but what libp2p needs, and still verifies everything over HTTP.',
    liveState: {
      off: 'Live updates are off.',
      connecting: 'Live updates: connecting to the mirrors…',
      connected: (n: number) =>
        n === 1
          ? 'Live updates: connected to 1 mirror.'
          : `Live updates: connected to ${n} mirrors.`,
      retrying: 'Live updates: no mirror could be reached; trying again every 15 seconds.',
      unavailable: 'Live updates: no mirror in use offers a WebSocket this page may use.',
      failed:
        'Live updates could not start in this browser; the page still checks every few seconds.',
    },
  },
  errors: {
    UNKNOWN: 'unexpected error',
  },
} as const;

export type Strings = typeof strings;
