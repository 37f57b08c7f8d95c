// Models kept in the browser (IndexedDB), as the same checkpoint bytes as a downloaded file.
const DB = "tsrl-models";
const STORE = "models";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB is not available"));
  });
}

function run<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const req = f(db.transaction(STORE, mode).objectStore(STORE));
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
      }),
  );
}

export function storeModel(key: string, bytes: Uint8Array): Promise<IDBValidKey> {
  return run("readwrite", (s) => s.put(bytes, key));
}

export async function fetchModel(key: string): Promise<Uint8Array | null> {
  const v = await run<unknown>("readonly", (s) => s.get(key));
  return v instanceof Uint8Array ? v : null;
}
