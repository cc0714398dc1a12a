"""Check characters of 居民身份证 numbers (GB 11643) and 统一社会信用代码 (GB 32100)."""

from __future__ import annotations

__all__ = [
    "USCC_CHARSET",
    "check_org_code",
    "check_resident_id",
    "check_uscc",
    "org_code_check_char",
    "resident_id_check_char",
    "uscc_check_char",
]

# GB 11643 / ISO 7064 MOD 11-2: digit i (0-based, from the left) weighs 2^(17-i) mod 11.
_RESIDENT_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RESIDENT_CHECK = "10X98765432"  # indexed by the weighted sum mod 11

# GB 32100: 31 characters, the letters I O Z S V left out because they read like digits.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# GB 11714 organization code (组织机构代码), embedded in positions 9–17 of a credit code.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def resident_id_check_char(first17: str) -> str:
    """The 18th character for 17 digits (raises ValueError if they are not 17 digits)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"居民身份证号码前17位应为数字：{first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK[total % 11]


def check_resident_id(number: str) -> bool:
    """True for an 18-character number whose check character fits; a lower-case x is accepted."""
    s = number.strip().upper()
    if len(s) != 18 or not s[:17].isascii() or not s[:17].isdigit():
        return False
    return resident_id_check_char(s[:17]) == s[17]


def uscc_check_char(first17: str) -> str:
    """The 18th character of a credit code (raises ValueError on a character outside the set)."""
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError(f"统一社会信用代码前17位含有不允许的字符：{first17!r}")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def check_uscc(code: str) -> bool:
    """True for an 18-character credit code whose check character fits (GB 32100, MOD 31)."""
    s = code.strip().upper()
    if len(s) != 18 or any(c not in _USCC_VALUE for c in s):
        return False
    return uscc_check_char(s[:17]) == s[17]


def org_code_check_char(first8: str) -> str:
    """The 9th character of an organization code (GB 11714, MOD 11; 10 is written X)."""
    if len(first8) != 8 or any(c not in _ORG_VALUE for c in first8):
        raise ValueError(f"组织机构代码前8位应为数字或大写字母：{first8!r}")
    total = sum(_ORG_VALUE[c] * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = (11 - total % 11) % 11
    return "X" if value == 10 else str(value)


def check_org_code(code: str) -> bool:
    """True for a 9-character organization code (a hyphen before the check is allowed)."""
    s = code.strip().upper().replace("-", "")
    if len(s) != 9 or any(c not in _ORG_VALUE for c in s[:8]):
        return False
    return org_code_check_char(s[:8]) == s[8]
