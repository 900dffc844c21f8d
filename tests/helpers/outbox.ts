import type { Page } from 'playwright-core'

/** An item of the patrol phone's offline outbox, as the tests look at it. */
export interface OutboxItem {
  id: string
  kind: string
  status: string
  hazardId: number | null
  lastError: { status: number; title: string; detail: string | null } | null
  inFlightSince: number | null
}

/** What the phone's outbox holds, read straight from its IndexedDB (empty before the first write). */
export async function outboxItems(page: Page): Promise<OutboxItem[]> {
  return page.evaluate(async () => {
    const names = await indexedDB.databases()
    if (!names.some((d) => d.name === 'safegrid-offline')) return []
    return new Promise<OutboxItem[]>((resolve, reject) => {
      const open = indexedDB.open('safegrid-offline')
      open.onerror = () => reject(open.error)
      open.onsuccess = () => {
        const db = open.result
        const req = db.transaction('items').objectStore('items').getAll()
        req.onsuccess = () => {
          db.close()
          resolve(
            (req.result as Partial<OutboxItem>[]).map((i) => ({
              id: i.id!,
              kind: i.kind!,
              status: i.status!,
              hazardId: i.hazardId ?? null,
              lastError: i.lastError ?? null,
              inFlightSince: i.inFlightSince ?? null,
            })),
          )
        }
        req.onerror = () => reject(req.error)
      }
    })
  })
}
