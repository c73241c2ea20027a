import { readFileSync } from 'node:fs';

/**
 * The Unicode version of `unicode/confusables.txt`, the table of UTS #39 §4 ("Confusable
 * Detection") that Warden compares addresses with, kept as Unicode publishes it
 * (https://www.unicode.org/Public/security/17.0.0/confusables.txt). To move to a newer table,
 * replace the file and this number together; a test checks that they agree.
 */
export const CONFUSABLES_VERSION = '17.0.0';

// Default_Ignorable_Code_Point: gone in NFKC_Casefold (UTS #39 skeletons leave them out).
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

let prototypes: Map<number, string> | undefined;

/** Source code point → prototype (one or more code points), read once from the pinned file. */
function table(): Map<number, string> {
  if (prototypes) return prototypes;
  const text = readFileSync(
    new URL('./unicode/confusables.txt', import.meta.url),
    'utf8',
  );
  const version = /^# Version: (\S+)$/m.exec(text)?.[1];
  if (version !== CONFUSABLES_VERSION)
    throw new Error(
      `unicode/confusables.txt is version ${version ?? 'unknown'}, CONFUSABLES_VERSION says ${CONFUSABLES_VERSION}`,
    );
  const map = new Map<number, string>();
  for (const line of text.split('\n')) {
    // `0430 ;	0061 ;	MA	# ( а → a ) CYRILLIC SMALL LETTER A → LATIN SMALL LETTER A`
    const match = /^([0-9A-F]{4,6}) ;\t([0-9A-F ]+) ;\tMA\t/.exec(line);
    if (!match) continue;
    map.set(
      Number.parseInt(match[1], 16),
      String.fromCodePoint(
        ...match[2]
          .trim()
          .split(' ')
          .map((hex) => Number.parseInt(hex, 16)),
      ),
    );
  }
  prototypes = map;
  return map;
}

/**
 * NFKC_Casefold (Unicode §3.13), as near as JavaScript comes without a case-folding table:
 * NFKC, full case folding by upper- then lower-casing (`ß` → `ss`, final `ς` → `σ`), default
 * ignorable code points removed, NFKC again.
 */
export function nfkcCasefold(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .replace(IGNORABLE, '')
    .normalize('NFKC');
}

/**
 * The confusable skeleton of an address, `skeleton(NFKC_Casefold(x))` of UTS #39 §4: two
 * addresses that look alike (`раураl` in Cyrillic and `paypal`) have the same skeleton. NFD,
 * each code point replaced by its prototype, NFD again.
 */
export function confusableSkeleton(text: string): string {
  const map = table();
  let mapped = '';
  for (const char of nfkcCasefold(text).normalize('NFD'))
    mapped += map.get(char.codePointAt(0) ?? 0) ?? char;
  return mapped.normalize('NFD');
}

/** Whether every character is ASCII: two such addresses are never compared by skeleton. */
export const isAscii = (text: string): boolean =>
  [...text].every((char) => (char.codePointAt(0) ?? 0) < 0x80);
