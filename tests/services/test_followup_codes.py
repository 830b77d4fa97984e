import random

from app.services import followup_codes as fc


def test_new_code_format_and_validity():
    for _ in range(200):
        code = fc.new_code()
        assert len(code) == 7 and code[3] == "-"
        assert fc.is_valid(code)
        assert fc.canonical(code.lower().replace("-", " ")) == code


def test_every_single_typo_and_adjacent_swap_is_caught():
    rng = random.Random(7)
    for _ in range(300):
        raw = fc.normalize(fc.new_code())
        for i in range(6):
            for ch in fc.ALPHABET:
                if ch != raw[i]:
                    assert not fc.is_valid(raw[:i] + ch + raw[i + 1 :])
        for i in range(5):
            if raw[i] != raw[i + 1]:
                assert not fc.is_valid(raw[:i] + raw[i + 1] + raw[i] + raw[i + 2 :])
        rng.random()


def test_problem_messages_are_french():
    assert "6 caractères" in fc.problem("ACD")
    assert "impossible" in fc.problem("AB0-CDE")
    code = fc.normalize(fc.new_code())
    wrong_check = code[:-1] + next(c for c in fc.ALPHABET if c != code[-1])
    assert "faute de frappe" in fc.problem(wrong_check)
    assert fc.problem(code) is None
