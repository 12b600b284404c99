/** Browser and OS from the User-Agent, roughly (enough for an agent to know what the visitor uses). */
export function describeUserAgent(ua: string): { browser: string; os: string } {
  const browser =
    /Edg\/(\d+)/.exec(ua)?.[1] != null
      ? `Edge ${/Edg\/(\d+)/.exec(ua)![1]}`
      : /OPR\/(\d+)/.test(ua)
        ? `Opera ${/OPR\/(\d+)/.exec(ua)![1]}`
        : /Firefox\/(\d+)/.test(ua)
          ? `Firefox ${/Firefox\/(\d+)/.exec(ua)![1]}`
          : /Chrom(e|ium)\/(\d+)/.test(ua)
            ? `Chrome ${/Chrom(?:e|ium)\/(\d+)/.exec(ua)![1]}`
            : /Version\/(\d+).*Safari/.test(ua)
              ? `Safari ${/Version\/(\d+)/.exec(ua)![1]}`
              : "Other";
  const os = /Windows NT/.test(ua)
    ? "Windows"
    : /Android/.test(ua)
      ? "Android"
      : /iPhone|iPad|iPod/.test(ua)
        ? "iOS"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /CrOS/.test(ua)
            ? "ChromeOS"
            : /Linux/.test(ua)
              ? "Linux"
              : "Other";
  return { browser, os };
}
