"""The keymap file: one id per action, checked before the app runs; a bad entry is
refused with its file:line and its action keeps the default keys."""

from __future__ import annotations

from pathlib import Path

from cso_console.keymap import key_name_ok, parse_keymap, read_keymap
from cso_console.screens.scopes import binding_scopes

SCOPES = binding_scopes()


def test_one_id_per_action_across_screens() -> None:
    board, detail = SCOPES["Board"], SCOPES["Call detail"]
    assert board["call.dispatch"][0] == detail["call.dispatch"][0] == "d,f3"
    assert "nav.help" in SCOPES["Roster"] and "nav.back" in SCOPES["Alerts"]
    every = [i for scope in SCOPES.values() for i in scope]
    assert all(
        i.split(".")[0]
        in {"call", "officer", "alert", "nav", "desk", "form", "confirm", "report", "search"}
        for i in every
    ), every


def test_a_good_keymap_is_taken_with_long_key_names() -> None:
    text = 'call.dispatch = "g,F3"\n[nav]\nhelp = ["?", "f1"]\n'
    keymap = parse_keymap(text, "k.toml", SCOPES)
    assert keymap.problems == []
    assert keymap.keys == {"call.dispatch": "g,f3", "nav.help": "question_mark,f1"}


def test_not_toml_keeps_every_default(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text('call.dispatch = "g"\nnav.help = \n')
    keymap = read_keymap(path, SCOPES)
    assert keymap.keys == {}
    assert len(keymap.problems) == 1
    assert keymap.problems[0].startswith(f"{path}:2: not TOML"), keymap.problems


def test_bad_entries_are_refused_by_line_the_rest_taken() -> None:
    text = "\n".join(
        [
            "# my keys",
            'call.dispach = "g"',  # 2: no such action
            'call.note = "ctrl+wobble"',  # 3: no such key
            "call.transfer = 5",  # 4: not a key
            'call.dispatch = "x"',  # 5: x is alert.acknowledge on the board
            'nav.map = "M"',  # 6: fine
        ]
    )
    keymap = parse_keymap(text, "k.toml", SCOPES)
    assert keymap.keys == {"nav.map": "M"}
    problems = keymap.problems
    assert problems[0].startswith("k.toml:2: there is no action call.dispach")
    assert "did you mean call.dispatch?" in problems[0]
    assert problems[1].startswith("k.toml:3: 'ctrl+wobble' is not a key name")
    assert problems[2].startswith("k.toml:4: call.transfer needs a key name")
    assert problems[3].startswith("k.toml:5: x is already alert.acknowledge (Ack alert)")
    assert "call.dispatch keeps its default keys" in problems[3]


def test_a_key_freed_by_another_entry_is_no_clash() -> None:
    text = 'call.dispatch = "x"\nalert.acknowledge = "K"\n'
    keymap = parse_keymap(text, "k.toml", SCOPES)
    assert keymap.problems == []
    assert keymap.keys == {"call.dispatch": "x", "alert.acknowledge": "K"}


def test_two_entries_on_one_key_refuse_the_later() -> None:
    text = 'call.dispatch = "g"\ncall.note = "g"\n'
    keymap = parse_keymap(text, "k.toml", SCOPES)
    assert keymap.keys == {"call.dispatch": "g"}
    assert keymap.problems[0].startswith("k.toml:2: g is already call.dispatch")


def test_a_missing_file_is_no_keymap(tmp_path: Path) -> None:
    keymap = read_keymap(tmp_path / "none.toml", SCOPES)
    assert keymap.keys == {} and keymap.problems == []


def test_key_names() -> None:
    for good in ("g", "G", "f3", "ctrl+g", "question_mark", "enter", "shift+tab", "plus"):
        assert key_name_ok(good), good
    for bad in ("wobble", "ctrl+wobble", "fn+g", ""):
        assert not key_name_ok(bad), bad


def test_no_key_a_terminal_eats_and_f_keys_have_twins() -> None:
    """Nothing needs ctrl+enter, ctrl+s or ctrl+j; an F-key has a plain twin, except
    where letters are typed into a field (F10 saves a form: Enter on Save does too; F9
    on the lock, whose PIN field takes every letter; F1 on search, whose field takes ?)."""
    no_twin_needed = {"form.save", "desk.sign_out", "nav.help@Search"}
    for scope, bindings in SCOPES.items():
        for binding_id, (keys, _) in bindings.items():
            names = keys.split(",")
            assert not {"ctrl+enter", "ctrl+s", "ctrl+j"} & set(names), (scope, binding_id)
            f_keys = [k for k in names if k.startswith("f") and k[1:].isdigit()]
            if f_keys and not {binding_id, f"{binding_id}@{scope}"} & no_twin_needed:
                assert len(names) > len(f_keys), (scope, binding_id, keys)
