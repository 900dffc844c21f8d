/**
 * File uploads other than photos (a roster workbook, a community's map files): their paths skip the
 * 1 MiB JSON limit of `server/app.ts` and carry their own, and {@link readUpload} takes the file from a
 * multipart field or the raw body.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from './context.ts'
import { Problem, problemDocument, problems, sendProblem } from './problem.ts'

/** POST paths that take a file upload with their own size limit (besides hazard photos). */
export const UPLOAD_PATHS: readonly RegExp[] = [/^\/api\/people\/import\/?$/, /^\/api\/community-imports\/?$/, /^\/api\/hotline\/(columns|import)\/?$/]

/** Whether a request is a file upload with its own limit. */
export const isUploadPath = (method: string, path: string): boolean => method === 'POST' && UPLOAD_PATHS.some((p) => p.test(path))

/** A body limit that answers 413 problem+json and closes the connection (the unread rest would poison it). */
export function uploadLimit(maxBytes: number, what: string): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      c.header('connection', 'close')
      return sendProblem(c, problemDocument(413, `The ${what} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`))
    },
  })
}

/** One uploaded file. */
export interface UploadedFile {
  name: string
  bytes: Uint8Array
}

/** What an upload carried: its files (in order, each with its field) and its text fields. */
export interface Upload {
  files: (UploadedFile & { field: string })[]
  fields: Record<string, string>
}

/**
 * Read an upload: every `File` of a multipart body with its field, and the text fields; or the raw body as
 * one file named by `?filename=`. 400 when there is no file; 413 past `maxBytes` in all.
 */
export async function readUpload(c: Context<AppEnv>, maxBytes: number): Promise<Upload> {
  const type = c.req.header('content-type') ?? ''
  const files: Upload['files'] = []
  const fields: Record<string, string> = {}
  let total = 0
  if (type.startsWith('multipart/form-data')) {
    let form: FormData
    try {
      form = await c.req.raw.formData()
    } catch {
      throw problems.badRequest('The multipart body is malformed.')
    }
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        fields[field] = value.slice(0, 2_000_000)
        continue
      }
      total += value.size
      if (total > maxBytes) throw new Problem(413, `The upload is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`)
      files.push({ field, name: value.name.slice(0, 200), bytes: new Uint8Array(await value.arrayBuffer()) })
    }
  } else {
    const bytes = new Uint8Array(await c.req.arrayBuffer())
    if (bytes.length > maxBytes) throw new Problem(413, `The upload is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`)
    if (bytes.length > 0) files.push({ field: 'file', name: (c.req.query('filename') ?? 'upload').slice(0, 200), bytes })
  }
  return { files, fields }
}
