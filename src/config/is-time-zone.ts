// Whether the platform knows an IANA time zone name ("Europe/Berlin", "UTC").
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
