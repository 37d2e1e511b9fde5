/**
 * Copies text to the clipboard: the async Clipboard API first, then the selection-based fallback
 * (which needs no permission, so it works where permission requests are denied).
 */
export async function copyText(text: string): Promise<boolean> {
  const nav: Partial<Pick<Navigator, 'clipboard'>> = navigator;
  try {
    if (nav.clipboard) {
      await nav.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Denied or unavailable: try the fallback below.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    // Deprecated, but the only permission-free way; used only when the Clipboard API fails.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
