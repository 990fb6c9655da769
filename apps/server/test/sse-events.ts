/** One Server-Sent Event, its data as sent (JSON text, or empty). */
export interface SseEvent {
  event: string;
  data: string;
}

/** Splits a raw HTTP/1.1 chunked SSE response (headers included) into its events. */
export function rawSseEvents(raw: string): SseEvent[] {
  const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
  // De-chunk: <hex size>\r\n<data>\r\n ... 0\r\n\r\n
  let text = "";
  let at = 0;
  const bytes = Buffer.from(body, "latin1");
  while (at < bytes.length) {
    const eol = bytes.indexOf("\r\n", at, "latin1");
    if (eol < 0) break;
    const size = Number.parseInt(bytes.subarray(at, eol).toString("latin1"), 16);
    if (!size) break;
    text += bytes.subarray(eol + 2, eol + 2 + size).toString("utf8");
    at = eol + 2 + size + 2;
  }
  return sseEvents(text);
}

/** Splits an SSE body (as fetch's `text()` gives it) into its events. */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("event: "))
    .map((block) => {
      const [eventLine, dataLine = "data: "] = block.split("\n") as [string, string?];
      return { event: eventLine.slice(7), data: dataLine.slice(6) };
    });
}
