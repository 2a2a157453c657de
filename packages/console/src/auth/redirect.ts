/** Only same-origin paths: `/login?redirect=` must not send the user elsewhere. */
export function safeRedirect(to: string | undefined): string {
  return to && to.startsWith('/') && !to.startsWith('//') && !to.startsWith('/login') ? to : '/';
}
