/**
 * 12345 hotline tickets (issue 15): read an export's columns, then preview or import its rows with the mapping
 * the user chose (`/api/hotline/columns`, `/api/hotline/import`).
 */
import type { HotlineField } from '../../core/hotline.ts'
import type * as Api from './openapi-types.ts'
import { apiRequest } from './client.ts'
import type { FeatureId } from './types.ts'

/** An export's header row, sample rows and the suggested mapping. */
export type HotlineColumns = Api.HotlineColumns
/** The answer of a preview or an import. */
export type HotlineImportResult = Api.HotlineImportResult
/** A column index per field. */
export type HotlineMapping = Partial<Record<HotlineField, number>>

function fileForm(file: Blob, name: string): FormData {
  const form = new FormData()
  form.set('file', file, name)
  return form
}

export const hotlineApi = {
  /** The columns of `file`. */
  columns: (file: File): Promise<HotlineColumns> => apiRequest('/api/hotline/columns', { method: 'POST', body: fileForm(file, file.name), timeoutMs: 120_000 }),
  /** Check (dryRun) or import the rows of `file` into `communityId` with `mapping`. */
  run(file: File, mapping: HotlineMapping, communityId: FeatureId | undefined, dryRun: boolean): Promise<HotlineImportResult> {
    const form = fileForm(file, file.name)
    form.set('mapping', JSON.stringify(mapping))
    return apiRequest('/api/hotline/import', { method: 'POST', body: form, query: { communityId: communityId === undefined ? undefined : String(communityId), dryRun: String(dryRun) }, timeoutMs: 300_000 })
  },
}
