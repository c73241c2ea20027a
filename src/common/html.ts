/** Text made safe for HTML content and double- or single-quoted attributes. */
export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (character) => `&#${character.codePointAt(0) ?? 0};`,
  );
