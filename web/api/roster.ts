/**
 * The roster, accounts, devices, a new community from its own files, and the first start: typed calls of
 * `/api/people`, `/api/teams`, `/api/users`, `/api/devices`, `/api/buildings`, `/api/community-imports`,
 * `/api/setup` and `/api/auth/password` (docs/api.md "Roster, accounts, devices"; docs/api-additions.md).
 */
import type { AnyTeamKind } from '../../core/org.ts'
import type * as Api from './openapi-types.ts'
import { apiRequest, buildUrl } from './client.ts'
import type { LoginResponse, Role } from './types.ts'

/** A person as `GET /api/people` lists them (phones masked per viewer); `GET /api/people/:id` adds devices. */
export type RosterPerson = Api.Person & { devices?: DeviceRow[] }

/** What the person form sends (the body of `PUT /api/people/:id`; creating needs a name too). */
export type PersonBody = Api.ApiOperations['PUT /api/people/{id}']['body']

/** A team. */
export type Team = Api.Team

/** The answer of a roster import (preview with `dryRun`). */
export type RosterImport = Api.RosterImportResult

/** An account; `password` only in the answer that made it (shown once). */
export type Account = Api.User & { password?: string }

/** A device with its last position time. */
export type DeviceRow = Api.Device

/** A new-community job. */
export type ImportJob = Omit<Api.ImportJob, 'boundary'> & { boundary?: GeoJSON.MultiPolygon | null }

/** A feature of a job's preview. */
export type ImportPreviewCollection = GeoJSON.FeatureCollection<GeoJSON.Geometry | null, Api.ImportFeature['properties']>

const id = (n: number | string) => encodeURIComponent(String(n))

/** Typed calls. */
export const rosterApi = {
  people(query: { communityId?: number | null; teamId?: number | null; q?: string; active?: boolean } = {}): Promise<{ items: RosterPerson[] }> {
    return apiRequest('/api/people', { query: { communityId: query.communityId, teamId: query.teamId, q: query.q || undefined, active: query.active } })
  },
  person(personId: number): Promise<RosterPerson> {
    return apiRequest(`/api/people/${id(personId)}`)
  },
  createPerson(body: PersonBody): Promise<RosterPerson> {
    return apiRequest('/api/people', { method: 'POST', body })
  },
  updatePerson(personId: number, body: PersonBody): Promise<RosterPerson> {
    return apiRequest(`/api/people/${id(personId)}`, { method: 'PUT', body })
  },
  importRoster(communityId: number, file: File, dryRun: boolean): Promise<RosterImport> {
    const form = new FormData()
    form.append('file', file, file.name)
    return apiRequest(buildUrl('/api/people/import', { communityId, dryRun }), { method: 'POST', body: form, timeoutMs: 120_000 })
  },
  /** The roster workbook URL (also the template). */
  rosterUrl(communityId: number | null): string {
    return buildUrl('/api/people', { format: 'xlsx', communityId })
  },
  teams(communityId?: number | null): Promise<{ items: Team[] }> {
    return apiRequest('/api/teams', { query: { communityId } })
  },
  createTeam(body: { communityId: number; name: string; kind: AnyTeamKind; kindLabel?: string | null; leaderId?: number | null; deputyIds?: number[] }): Promise<Team> {
    return apiRequest('/api/teams', { method: 'POST', body })
  },
  updateTeam(teamId: number, body: { name?: string; kind?: AnyTeamKind; kindLabel?: string | null; leaderId?: number | null; deputyIds?: number[]; active?: boolean }): Promise<Team> {
    return apiRequest(`/api/teams/${id(teamId)}`, { method: 'PUT', body })
  },
  users(): Promise<{ items: Account[] }> {
    return apiRequest('/api/users')
  },
  createUser(body: { username: string; name: string; role: Role; personId?: number | null; communityIds?: number[]; unitId?: number | null; password?: string }): Promise<Account> {
    return apiRequest('/api/users', { method: 'POST', body })
  },
  updateUser(userId: number, body: { name?: string; role?: Role; personId?: number | null; communityIds?: number[]; unitId?: number | null; active?: boolean }): Promise<Account> {
    return apiRequest(`/api/users/${id(userId)}`, { method: 'PUT', body })
  },
  resetPassword(userId: number): Promise<Account> {
    return apiRequest(`/api/users/${id(userId)}/reset-password`, { method: 'POST' })
  },
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return apiRequest('/api/auth/password', { method: 'POST', body: { currentPassword, newPassword } })
  },
  devices(query: { personId?: number; communityId?: number } = {}): Promise<{ items: DeviceRow[] }> {
    return apiRequest('/api/devices', { query })
  },
  registerDevice(body: { id: string; personId: number; communityId: number; name?: string }): Promise<DeviceRow> {
    return apiRequest('/api/devices', { method: 'POST', body })
  },
  setBuildingHead(buildingId: number, headPersonId: number | null): Promise<{ id: number; headPersonId: number | null; headName: string | null }> {
    return apiRequest(`/api/buildings/${id(buildingId)}`, { method: 'PUT', body: { properties: { headPersonId } } })
  },
  startImport(form: FormData): Promise<ImportJob> {
    return apiRequest('/api/community-imports', { method: 'POST', body: form, timeoutMs: 300_000 })
  },
  importJob(jobId: number, signal?: AbortSignal): Promise<ImportJob> {
    return apiRequest(`/api/community-imports/${id(jobId)}`, { signal })
  },
  importFeatures(jobId: number, query: { status?: string; layer?: string; limit?: number } = {}): Promise<ImportPreviewCollection> {
    return apiRequest(`/api/community-imports/${id(jobId)}/features`, { query, timeoutMs: 60_000 })
  },
  commitImport(jobId: number, body: { name?: string; nameEn?: string } = {}): Promise<ImportJob> {
    return apiRequest(`/api/community-imports/${id(jobId)}/commit`, { method: 'POST', body })
  },
  setupState(): Promise<{ needsAdmin: boolean; communities: number }> {
    return apiRequest('/api/setup', { expectUnauthorized: true })
  },
  setup(body: { username: string; name: string; password: string; setupToken?: string }): Promise<LoginResponse> {
    return apiRequest('/api/setup', { method: 'POST', body, expectUnauthorized: true })
  },
}
