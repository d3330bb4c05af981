"""Import data (admins): upload exports, map them to the contract tables, check, preview, import.

Nothing is written until the check finds no problem and the admin presses Import; the import
is all or nothing (loaders/imports). When the page may not write the warehouse, it shows the
`leadline import` command that does the same.
"""

from __future__ import annotations

import hashlib

import polars as pl
import streamlit as st

from common import settings
from common.errors import LeadlineError
from dashboard.data import cached as data
from dashboard.data.import_flow import (
    EXAMPLES_DIR,
    UPLOAD_TYPES,
    cli_command,
    example_mappings,
    write_plan,
    write_target,
)
from dashboard.filters.view import current_view
from dashboard.ui.page import guarded, show_error
from loaders.imports import ImportPlan, MappingError, parse_mapping, plan_import
from loaders.warehouse.engine import redact

PASTE = "paste"
PLAN_KEY, RESULT_KEY = "import_plan", "import_result"
PREVIEW_ROWS = 20
FIRST_EXAMPLE = "xeducation.toml"  # needs no pseudonym secret: a first import that just works

view = current_view()
st.title("Import data")
st.caption(
    "Bring CSV, Parquet or Excel exports into the warehouse through a mapping (docs/import.md). "
    "Everything is checked first; nothing is written until there is no problem left and you press Import."
)
if not view.viewer.is_admin:
    st.error("Only administrators may import data.")
    st.stop()

with guarded("retry-import"):
    url = data.warehouse_url()
    target = write_target(url)
    examples = example_mappings()

    st.subheader("1 · Mapping")
    choice = st.selectbox(
        "Start from",
        [*examples, PASTE],
        format_func=lambda name: "Paste or write your own" if name == PASTE else f"Example: {name}",
        index=list(examples).index(FIRST_EXAMPLE) if FIRST_EXAMPLE in examples else 0,
        key="import-choice",
        help="The examples in examples/mappings/ read the public data sets they describe.",
    )
    text = st.text_area(
        "Mapping (TOML)",
        value="" if choice == PASTE else examples[choice].read_text(encoding="utf-8"),
        height=280,
        key=f"import-mapping-{choice}",
        help="Edit freely; the format is described in docs/import.md.",
    )
    if not text.strip():
        st.info("Paste a mapping, or start from one of the examples.", icon=":material/edit_note:")
        st.stop()
    try:
        mapping = parse_mapping(
            text,
            origin=choice if choice != PASTE else "the mapping",
            base_dir=EXAMPLES_DIR if choice != PASTE else None,
        )
    except MappingError as exc:
        show_error(exc, key="retry-mapping")
        st.stop()
    needs_secret = mapping.has_personal_data and not settings.get("pseudonym_secret")
    if needs_secret:
        st.warning(
            "**This mapping reads personal data** (names, phone numbers or e-mail addresses), which Leadline "
            "turns into pseudonymous keys with a secret. No secret is set, so it cannot be imported yet.\n\n"
            "Set `LEADLINE_PSEUDONYM_SECRET` (or `pseudonym_secret` under `[leadline]` in secrets.toml) to a "
            "long random text, e.g. from `python -c 'import secrets; print(secrets.token_hex(32))'`, restart "
            "Leadline, and keep the secret: the same secret gives the same keys in later imports.",
            icon=":material/key:",
        )

    st.subheader("2 · Files")
    uploads = st.file_uploader(
        "Exports to import",
        type=list(UPLOAD_TYPES),
        accept_multiple_files=True,
        key="import-files",
        help="Name each file as the mapping's path does (e.g. leads.csv), or leave it out to read that path.",
    )
    files = {upload.name: upload.getvalue() for upload in uploads or []}
    rows = []
    uploaded_labels: dict[str, str] = {}  # [files.NAME] -> the uploaded file's name
    for name in mapping.files:
        path = mapping.resolve_path(name)
        label = path.name if path else name
        if label in files or name in files:
            uploaded_labels[name] = label if label in files else name
            where = "uploaded"
        elif path is not None and path.is_file():
            where = f"read from {path.resolve()}"
        else:
            where = "missing: upload it"
        rows.append({"Mapping name": f"[files.{name}]", "File": label, "Source": where})
    st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch", key="import-file-status")

    signature = hashlib.sha256(
        "\x1f".join([text, *(f"{n}:{len(b)}" for n, b in sorted(files.items()))]).encode()
    ).hexdigest()
    st.subheader("3 · Check and preview")
    if st.button(
        "Check", type="primary", icon=":material/fact_check:", key="import-check", disabled=needs_secret
    ):
        try:
            reader = data.engine()
        except LeadlineError:
            reader = None  # a new warehouse: nothing to refer to yet
        st.session_state[PLAN_KEY] = (signature, plan_import(mapping, files, engine=reader))
        st.session_state.pop(RESULT_KEY, None)
    stored = st.session_state.get(PLAN_KEY)
    plan: ImportPlan | None = stored[1] if stored and stored[0] == signature else None
    command = cli_command(
        f"examples/mappings/{choice}" if choice != PASTE else "your_mapping.toml",
        url,
        [(name, f"PATH/TO/{label}") for name, label in uploaded_labels.items()],
    )
    if plan is None:
        if RESULT_KEY in st.session_state:
            st.success(
                f"**Imported.** Every page now shows the new data.\n\n```\n{st.session_state[RESULT_KEY]}\n```",
                icon=":material/task_alt:",
            )
        else:
            st.caption("Press Check to read the files and see what would be written. Nothing is written yet.")
        st.stop()

    if plan.ok:
        st.success("No problems found.", icon=":material/check_circle:")
    else:
        st.error(
            f"**{plan.problem_count} problem(s) found; nothing will be written.** Fix them in the files "
            "or the mapping, then press Check again.",
            icon=":material/error:",
        )
        problems = pl.DataFrame(
            [
                {
                    "File": p.file,
                    "Row": p.row,
                    "Column": p.column,
                    "Value": p.value,
                    "Problem": p.message,
                    "Fix": p.hint,
                }
                for p in plan.problems
            ],
            schema={
                n: pl.Int64 if n == "Row" else pl.String
                for n in ("File", "Row", "Column", "Value", "Problem", "Fix")
            },
        )
        st.dataframe(problems, hide_index=True, width="stretch", key="import-problems")
        if plan.problem_count > len(plan.problems):
            st.caption(
                f"{plan.problem_count - len(plan.problems)} more problem(s) are counted but not listed."
            )
        st.download_button(
            "Download the report", plan.report, file_name="leadline_import_report.txt", key="import-report"
        )

    st.code(
        "\n".join(
            line
            for line in plan.summary().splitlines()
            if "defaulted:" not in line and "warning:" not in line
        ),
        language=None,
    )
    for note in plan.notes:  # imported by a documented rule; said, not blocked
        st.warning(note, icon=":material/schedule:")
    if plan.frames:
        tabs = st.tabs([f"{table} ({frame.height:,})" for table, frame in plan.frames.items()])
        for tab, (table, frame) in zip(tabs, plan.frames.items(), strict=True):
            with tab:
                st.dataframe(
                    frame.head(PREVIEW_ROWS), hide_index=True, width="stretch", key=f"import-preview-{table}"
                )
                st.caption(
                    f"The first {min(PREVIEW_ROWS, frame.height)} of {frame.height:,} rows as they would be written."
                )
    if plan.defaulted:
        st.markdown("**Defaulted columns**: not in your files, set to a constant by the mapping.")
        st.dataframe(
            pl.DataFrame(
                [
                    {
                        "Table": d.table,
                        "Column": d.column,
                        "Value": d.default_value,
                        "Rows": d.rows,
                        "Why": d.note,
                    }
                    for d in plan.defaulted
                ]
            ),
            hide_index=True,
            width="stretch",
            key="import-defaulted",
        )

    st.subheader("4 · Import")
    st.caption(
        f"Into **{redact(url)}**, the warehouse every page reads. Rows whose keys the import brings again "
        "are replaced; everything else stays."
    )
    if not plan.ok:
        st.caption("Import is possible once the check finds no problem.")
    elif not target.writable:
        st.info(f"{target.reason} Run the import on the command line instead:", icon=":material/terminal:")
        st.code(command, language="bash")
    elif st.button("Import into the warehouse", type="primary", icon=":material/upload:", key="import-write"):
        data.reset_connections()  # the dashboard's own read-only connections let go of the file
        result = write_plan(plan, url)
        data.clear_caches()  # every page shows the new data at once
        data.reset_connections()
        st.session_state[RESULT_KEY] = result.summary()
        st.session_state.pop(PLAN_KEY, None)
        st.rerun()
    with st.expander("The same import on the command line"):
        st.code(command, language="bash")
        if choice == PASTE:
            st.caption("Save the mapping above as your_mapping.toml first.")
