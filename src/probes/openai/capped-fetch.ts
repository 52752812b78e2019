// The fetch the openai runtime hands the SDK: the global fetch, with every answer's body cut off
// after a number of bytes. The SDK reads whole bodies (the model list, a completion, an error
// text) into memory; a server that streams gigabytes within the timeout cannot exhaust the bot.

/** Raised while the body is read, once it passes the limit: the SDK's read fails with it. */
export class AnswerTooLargeError extends Error {
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`the answer is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; not read further`);
    this.name = 'AnswerTooLargeError';
    this.maxBytes = maxBytes;
  }
}

/** Statuses whose Response may not carry a body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** `fetch`, whose answers' bodies fail with AnswerTooLargeError past `maxBytes`. */
export function cappedFetch(maxBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body || NULL_BODY.has(response.status)) return response;
    let seen = 0;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > maxBytes) controller.error(new AnswerTooLargeError(maxBytes));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
