/** Where a store's remote data stands. */
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'
