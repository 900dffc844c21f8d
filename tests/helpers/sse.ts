/** One Server-Sent Event. */
export interface SseEvent {
  event: string
  id: string
  data: string
}

/** An open SSE connection read event by event. */
export interface SseStream {
  status: number
  contentType: string | null
  /** The next event (comments skipped), or undefined when the stream ends or `ms` pass. */
  next: (ms?: number) => Promise<SseEvent | undefined>
  /** The next event that matches, or undefined after `ms`. */
  until: (pred: (e: SseEvent) => boolean, ms?: number) => Promise<SseEvent | undefined>
  close: () => void
  /** Resolves when the stream ends. */
  ended: Promise<void>
}

/** Open `GET /api/live` on a server with a Bearer token. */
export async function openSse(baseUrl: string, token: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController()
  const res = await fetch(`${baseUrl}/api/live`, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: abort.signal })
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const events: SseEvent[] = []
  const waiters: (() => void)[] = []
  let finished = false
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += value
        let cut: number
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          const e: SseEvent = { event: 'message', id: '', data: '' }
          let any = false
          for (const line of block.split('\n')) {
            const m = /^(event|id|data): ?(.*)$/.exec(line)
            if (!m) continue
            any = true
            if (m[1] === 'data') e.data = e.data ? `${e.data}\n${m[2]}` : m[2]!
            else e[m[1] as 'event' | 'id'] = m[2]!
          }
          if (any) events.push(e)
          waiters.splice(0).forEach((w) => w())
        }
      }
    } catch {
      // aborted
    } finally {
      finished = true
      waiters.splice(0).forEach((w) => w())
    }
  })()
  const next = async (ms = 2000): Promise<SseEvent | undefined> => {
    const deadline = Date.now() + ms
    while (events.length === 0 && !finished && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now())
        waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
    return events.shift()
  }
  const until = async (pred: (e: SseEvent) => boolean, ms = 2000): Promise<SseEvent | undefined> => {
    const deadline = Date.now() + ms
    for (;;) {
      const left = deadline - Date.now()
      if (left <= 0) return undefined
      const e = await next(left)
      if (!e) return undefined
      if (pred(e)) return e
    }
  }
  return { status: res.status, contentType: res.headers.get('content-type'), next, until, close: () => abort.abort(), ended }
}
