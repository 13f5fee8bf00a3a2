// The bucket tree. Keys written itob(n) are 8-byte big-endian, so they sort by
// number; "|" joins the parts of a composite key (no separator byte is stored).
// Every value that holds personal data or a sealed record's contents is an
// AES-256-GCM ciphertext (crypt.go) bound to its record kind, id and field,
// under a data key of the keyring named by its first byte; rotate.go lists
// every bucket that holds ciphertexts (the registry a key rotation walks).
//
//	meta
//	  schema_version                 itob(version)          migrations run in order (migrate.go)
//	  audit_head                     signed note            Ed25519 over tlog.FormatTree (audit.go)
//	  reference_seq                  itob(n)                the last FC-YYYY-nnnnnn number given
//	  relief_reference_seq, leak_reference_seq              the last JZ- and LK- numbers given
//	accounts                         itob(id) -> accountRecord: role, encrypted login/name/mobile/id number/licence,
//	                                 argon2id hash, lockout counters, organ id
//	accounts_by_login                HMAC("login", login) -> itob(account id)
//	accounts_by_idnumber             HMAC("idnumber", id number) | itob(account id) -> ""
//	accounts_by_role                 role | 0x00 | itob(account id) -> ""          (the administrator's paged list; migration 16)
//	accounts_by_organ                itob(organ id) | role | 0x00 | itob(account id) -> ""
//	official_handovers               itob(account id) -> {body: sealed username and one-time password of an official's new
//	                                 account, for the administrator who made it; 10 minutes} (created on first write)
//	account_devices                  itob(account id) | SHA-256(device cookie) -> first seen   (new-device sign-ins; migration 11)
//	sessions                         SHA-256(cookie id) -> sessionRecord (account, role, created, last seen)
//	sessions_by_account              itob(account id) | SHA-256(cookie id) -> ""
//	audit_entries                    itob(index) -> JSON auditRecord (no personal data)
//	audit_hashes                     itob(tlog stored-hash index) -> 32-byte hash
//	organs                           itob(id) -> {kind, name}     (authorities: public names, in clear)
//	organs_by_name                   kind | 0x00 | name -> itob(id)
//	cases                            itob(id) -> {body: encrypted JSON of the whole case}
//	cases_by_ref                     "FC-2026-000042" -> itob(case id)
//	cases_by_account                 itob(account id) | itob(case id) -> relation ("filer" | "person")
//	case_accounts                    itob(case id) | itob(account id) -> relation (for notifications)
//	cases_by_person                  HMAC("idnumber", id number) | itob(case id) -> ""
//	queue_by_organ                   itob(organ id) | due yyyymmdd (4 bytes, 99999999 = none) | itob(case id)
//	                                 -> queueEntry {ref, status, due, decider|holder} (no personal data)
//	open_by_due                      due (4 bytes) | itob(case id) -> itob(deciding organ id) + JSON{ref,status,submitted,owe}   (overdue lists, no case decrypted)
//	queue_counts                     itob(organ id; 0 = open_by_due) | due (4 bytes) | status -> count   (queue totals without a walk)
//	case_summaries                   itob(case id) -> AES-GCM(JSON{ref,status,due,decider,holders,pending,person_name})   (cases page, lawyer's dashboard; created on first write)
//	documents                        itob(document id) -> encrypted bytes, bound to document id and case id (documents
//	                                 of before issue 15; its sequence still numbers every case document)
//	document_refs                    itob(document id) -> AES-GCM(object key, size, SHA-256 of the object, the document's
//	                                 own data key), bound to document id and case id (documents.go, issue 15)
//	document_objects                 object key -> kind letter | itob(document id): the objects rows name (the sweeper's index)
//	blob_objects                     object key -> written time | AES-GCM(document key, content): the engine's own object
//	                                 store, the default; empty when -blob-url puts the objects in S3 (documents.go)
//	messages                         itob(case id) | itob(message id) -> {body: encrypted JSON}
//	notifications                    itob(account id) | itob(notification id) -> JSON {case, ref, message key, read}
//	notifications_unread             itob(account id) -> itob(count)
//	calendar_years                   itob(year) -> calendar JSON loaded by `admin load-calendar`
//	calendar_confirmed               itob(year) -> JSON{notice, actor, at}: a non-official year confirmed against the State
//	                                 Council notice by `admin confirm-calendar` (created on first write; cleared when reloaded)
//	cases_awaiting_calendar          itob(case id) -> ""   open cases whose deadline waits for a missing calendar year;
//	                                 PutCalendarYear counts them (created on first write)
//	deadlines_awaiting_calendar      kind | 0x00 | itob(id) -> JSON{from, deadline}: relief requests, correction notices,
//	                                 leak reports, queries, certificate requests and objections whose deadline waits for
//	                                 a missing calendar year (awaiting.go); PutCalendarYear counts them (created on first write)
//	relief_requests                  itob(id) -> {body: encrypted JSON of the relief request} (relief.go has the rest
//	                                 of its tree: by ref, by account, queue by due, documents and their rows
//	                                 (relief_document_refs), messages, correction notices)
//	queries                          itob(id) -> {body: encrypted JSON of a query of a sealed record (R15, R16)}
//	queries_by_unit                  itob(unit account) | itob(id) -> ""
//	queries_by_organ                 itob(organ) | due (4 bytes; 99999999 once decided) | itob(id) -> {ref, status, due, unit kind}
//	                                 (created by migration 7; meta/query_reference_seq numbers them)
//	audit_by_subject                 subject kind | 0x00 | itob(subject id) | itob(audit index) -> ""   ("who looked at my record")
//	certificates                     itob(id) -> {body: encrypted JSON of a no-criminal-record certificate (R14)}
//	certificates_by_code             HMAC("certcode", verification code) -> itob(id) [| blind key id]   (the code is never a key in clear;
//	                                 the key id byte names the blind key that made the hash, absent = key 1)
//	certificates_by_account          itob(account) | itob(id) -> ""
//	certificates_by_person           HMAC("idnumber", id number) | itob(id) -> ""   (the person's certificates; an unsealing revokes none, R14)
//	certificate_queue                itob(police organ) | due (4 bytes) | itob(id) -> queue entry
//	certificate_objections           itob(police organ) | due (4 bytes) | itob(certificate id) -> {ref, filed}   (pending objections, R14;
//	                                 created by the first write of the area, like the other certificate buckets)
//	unsealings, unsealings_by_case   unsealing events (R18/R19) and their index by case
//	unsealing_pending                cases waiting for the supervisor's review (exactly 60 months)
//	unsealing_open                   case id -> unsealing id: unsealings waiting for a second official's approval or
//	                                 for the holders' confirmations (issue 18, unsealing_approval.go)
//	overrides                        itob(id) -> JSON{case id, reference, organ, decision, rules' outcome, state, who, when}
//	                                 (decisions against the rules' computation, decisions.go; created by a migration)
//	staff_notifications              itob(organ) | itob(id) -> JSON{case id, reference, message key, time, except}   (officials' news)
//	staff_notifications_seen         itob(account) -> itob(newest id read)
//	cooffender_cases                 HMAC("cooffender", adult case number) | itob(case id) -> ""   (R20)
//	sealed_info_marks                itob(id) -> JSON{case number, kind, basis, organ, by, at}   (R21: another case of a judicial
//	                                 organ that uses sealed information; created by its first write)
//	sealed_info_by_number            HMAC("cooffender", case number) | itob(id) -> ""   (answers the co-offender lookup too)
//	sealed_info_by_organ             itob(organ id) | itob(id) -> ""
//	                                 (created by migration 7; meta/certificate_reference_seq numbers certificates)
//	leak_reports                     itob(id) -> {body: encrypted JSON of the report}
//	leak_by_code                     HMAC("leakcode", tracking code) -> itob(id) [| blind key id]   (the code itself is never stored)
//	leak_by_ref                      "LK-2026-000042" -> itob(id)
//	leak_queue                       due (4 bytes; 99999999 once closed) | itob(id) -> {ref, status, received}
//	leak_drafts                      HMAC("leakdraft", browser token) -> itob(id) | created
//	leak_documents                   itob(document id) -> encrypted bytes, bound to document id and report id
//	leak_document_refs               itob(document id) -> the document's row, as document_refs (documents.go)
//	leak_by_account                  itob(account id) | itob(id) -> ""   (a signed-in reporter's own reports)
//	opinions                         itob(id) -> {body: encrypted JSON of a supervision opinion (纠正意见 / 检察建议, R33)}
//	opinions_by_organ                itob(organ) | itob(id) -> ""
//	opinions_by_due                  answered (1 byte) | due (4 bytes) | itob(id) -> {number, kind, organ, issued, cases}
//	opinions_by_case                 itob(case) | itob(id) -> ""
//	opinions_by_leak                 itob(leak report) | itob(id) -> ""
//	audit_by_actor                   itob(actor account) | itob(audit index) -> ""   (every action of one account, for a
//	                                 leak investigation; earlier entries indexed by the migration; oversight.go)
//	leaks_by_case                    itob(case) | itob(leak report) -> ""   (the cases about a report's person, by the keyed
//	                                 hash of the identity number; written when a report is sent or investigated)
//	totp                             itob(account id) -> totpRecord: encrypted TOTP secret (or the pending one shown
//	                                 at enrolment), last accepted time step, HMAC("recovery", id:code) of each unused
//	                                 recovery code and the blind key id that made them   (created by the first enrolment, CreateBucketIfNotExists)
//	keyring                          "dek" | key id (1 byte) -> {id, state active|retiring|retired, created, retired,
//	                                 data key wrapped (AES-256-GCM) by the KEK, which is never stored here}
//	                                 "kek" -> KEK fingerprint; "last_id" -> 1 byte   (migration 8; keyring.go)
//	                                 "bix" | key id (1 byte) -> blind-index (HMAC) key {id, state active|retiring|kept|retired,
//	                                 wrapped by the KEK; key 1 is the keys file's index_key, not stored}; "bix_reindex" -> progress
//	                                 of a running re-index   (migration 15; blindkeys.go). Every HMAC below is under one of them.
//	legal_documents                  itob(id) -> {body: encrypted JSON of an issued legal document (issue 18): number, organ,
//	                                 recipients, citations, the frozen text in each language}   (written once, never updated)
//	legal_documents_by_case          itob(case id) | itob(document id) -> ""
//	legal_documents_by_query         itob(query id) | itob(document id) -> ""
//	legal_doc_numbers                itob(organ id) | year (4 bytes) | number word (封, 不封, 解封, 查) -> itob(last sequence)
//	legal_services                   itob(document id) -> {body: encrypted JSON list of services: recipient, method, day, by}
//	rights_explanations              itob(case id) -> {body: encrypted JSON list of explanations of rights (R13)}
//	service_contacts                 itob(case id) -> {body: encrypted JSON: addresses for service, guardian's name}
//	                                 (all seven created by migration 19; legaldocs.go)
//	outbox                           itob(id) -> {body: encrypted JSON of one SMS or e-mail: channel, recipient, text,
//	                                 template, status, attempts, next try}; recipient and text erased once final
//	outbox_due                       due time (8 bytes, UnixNano) | itob(id) -> ""   (what the sender delivers next)
//	outbox_done                      finished time | itob(id) -> ""   (delivery records purged after 30 days)
//	registrations_pending            itob(id) -> {body: encrypted JSON: the account to create (password hashed), code
//	                                 hash, tries, sends, token hash}   (created by migration 13; codes.go)
//	password_resets                  itob(id) -> {body: encrypted JSON: account id, code hash, tries, token hash}
//	email_pending                    itob(account id) -> {body: encrypted JSON: address, code hash, tries}
//	workbench_cases                  itob(case id) -> JSON{ref, status, due, decider, holders, confirmed}   (no personal data;
//	                                 the officials' workbench reads it instead of opening cases; workbench.go, issue 18)
//	workbench_search                 HMAC("wb_name", name) | itob(case id) -> "", HMAC("wb_caseno", organ case number) | itob(case id) -> ""
//	sealing_register                 itob(organ) | day (4 bytes) | itob(case id) | kind -> JSON{ref, kind, at}   (封存登记台账)
//	case_assignments                 itob(organ) | itob(case id) -> JSON{to, from, by, at}   (承办人)
//	cases_by_assignee                itob(account id) | itob(case id) -> itob(organ)
//	workbench_states                 itob(id) -> {body: encrypted JSON of a results page: owner, expiry, case ids}   (15 minutes)
//	                                 (all six created by the workbench migration; meta/workbench_backfill is the
//	                                 progress of indexing older cases, run by Open after the keys are loaded)
//	check_answers                    itob(id) -> {body: encrypted JSON: token hash, created, updated, the eligibility
//	                                 check's answers as typed}; kept one hour after the last page   (migration "eligibility
//	                                 check answers between pages"; checkflow.go)
//	form_states                      SHA-256(cookie id) | kind ('a' answer, 'k' kept) -> {body: encrypted JSON of a
//	                                 form's answer page or of a form kept across a sign-in: account id, page, values,
//	                                 expiry}   (migration 16; formstate.go; minutes-long, purged at each write)
//	form_states_by_expiry            expiry (8 bytes, UnixNano) | the form_states key -> ""
//	submissions                      itob(account id) | SHA-256(submission id)[:16] -> kind (1 byte) | itob(record id) |
//	                                 created (UnixNano): what a form's random submission id created, so that a retry
//	                                 after an unknown commit answers with it (migration "submission ids …"; idempotency.go)
//	leak_receipts                    HMAC("leakreceipt", draft token) -> {body: encrypted JSON: report id, tracking code,
//	                                 sent}: a sent report's confirmation for a retry from the same browser, one hour
//	                                 (same migration; idempotency_leak.go)
//	rate_limits                      limit name | 0 | window number | keyed hash of a client address | 8 random bytes -> ""
//	                                 one key per allowed hit, shared by the app servers of one database (limits.go,
//	                                 issue 15; created on first use; ended windows swept in batches)
//	api_clients                      itob(id) -> JSON{organ, name, SHA-256 of the secret, created, rotated, revoked}
//	api_clients_by_hash              SHA-256 of a live secret -> itob(id)   (apiclients.go, issue 17)
//	ingest_jobs                      itob(job) -> JSON{organ, state, lines, chunks, next chunk, counts}
//	ingest_queue                     itob(job) -> ""   (queued or running)
//	ingest_chunks                    itob(job) | itob(n) -> {body: encrypted JSON of up to 500 lines of the body},
//	                                 deleted in the transaction that decides them
//	ingest_errors                    itob(job) | itob(line) -> JSON[{line, field, message key}]
//	ingest_records                   itob(organ) | the organ's record id -> JSON{case, outcome, keyed hash of the content}
//	                                 (all seven created by migration "bulk records of organs' systems"; ingest.go)
//	statistics                       itob(organ; 0 = none) | yyyymm (4 bytes) | measure -> itob(count)   (issue 17; no personal
//	                                 data: the statistics pages read these, never the records; statistics.go)
//	statistics_sources               kind (1 byte) | itob(record id) -> JSON{counter keys the record adds to, events counted,
//	                                 deadline in force}   (the hook's memo; both created by the statistics migration, which
//	                                 asks Open for a back-fill in batches, progress in meta/statistics_backfill)
//
// Two shapes repeat in this tree and are implemented once:
//
// A tracked file (trackedfile.go, fileKind[T, B]) is what a person or an
// organ files and then follows: cases, relief_requests, leak_reports,
// queries, certificates. Its records bucket holds itob(id) -> the whole file
// sealed (sealJSON, bound to kind, id, "body"); beside it, as the kind has
// them, a by-reference bucket (reference number -> itob(id)), a by-account
// bucket (itob(account) | itob(id), listed newest first; a file another
// account asks for is not found), and a documents bucket (itob(document id)
// -> bytes sealed to the document id and "content:<kind>:<file id>", the
// form before issue 15) with its rows bucket (itob(document id) -> object
// key, SHA-256 and the document's own key, sealed to "ref:<kind>:<file id>";
// the bytes are an object in the blob store, documents.go). Each
// kind declares its bucket names and the conversion to its stored form;
// queues, messages, notices and summaries stay with the kind.
//
// A stash (stash.go, stash[T]) keeps a short-lived sealed value a browser
// names by a random token: form_states, check_answers, desk_searches,
// workbench_states, official_handovers. The key comes from the token (its
// hash, or the id of a token "<id>.<random>" whose keyed hash the value
// keeps), the value may be bound to an account, a value past its lapse is
// not found, and every write sweeps the lapsed ones: through an expiry
// index, within the written key's account prefix, or from the front of a
// bucket whose keys grow with time. Each keeps the layout listed above.
//
// Lists read these indexes with cursors over a prefix, never a scan of a whole
// entity bucket. Changing the tree means a new migration and an update here in
// the same commit.
//
// The engine seam (store/kv; design: shared/design/scale-out.md §6.1). The
// tree lives in a kv.Engine, not in bbolt directly: every helper takes kv.Tx,
// kv.Bucket and kv.Cursor, DB holds the engine, and only store/kv/boltkv (the
// embedded file, the default) imports bbolt. Open opens the bbolt file;
// OpenEngine takes any engine. The contract, which the store's code relies
// on: keys sort bytewise; update is one writer at a time across every
// process (so a read-modify-write in one update is serializable); batch may
// run its closure more than once, so it must change nothing outside the
// transaction; Get and cursor moves answer nil after an engine failure and
// the engine records it in the transaction (Tx.Err), so update/view/batch
// return that error and roll back whatever the closure returned: a failed
// read is never committed nor shown as "not found" (store/kv/faultkv proves
// it); values are valid only inside the transaction (copyBytes); a full or
// read-only database is kv.ErrFull (error.storage_full). The file's own
// features (hot copy, page check, size, bulk load without fsync) are
// kv.FileBackup and kv.BulkLoader, which a server engine need not offer.
package store
