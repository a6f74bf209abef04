"""Resolve a decoded template for given parameter values, as CloudFormation would.

Enough of the intrinsic functions for maclip's templates (Ref, Fn::If, Fn::Sub, Fn::Select,
Fn::Split, Fn::Join, Fn::GetAtt, the condition functions); resources whose condition is false
are dropped and ``AWS::NoValue`` entries removed. Attributes of resources resolve to
``<Logical.Attribute>`` (``Ref`` of a resource to ``<Logical>``, and SAM's ``Ref`` of
``Logical.Alias`` to the alias's ARN around ``<Logical>``), so what a test reads is exactly the
text CloudFormation would build around them.
"""

from __future__ import annotations

from typing import Any

PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "stack",
}
_DROP = object()


class Resolved:
    def __init__(self, template: dict[str, Any], values: dict[str, str]):
        self.template = template
        self.params = {
            name: str(values.get(name, p.get("Default", "")))
            for name, p in template.get("Parameters", {}).items()
        }
        self.conditions: dict[str, bool] = {}
        for name in template.get("Conditions", {}):
            self.condition(name)

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self.conditions[name]

    def resources(self) -> dict[str, Any]:
        return {
            name: self.value(r)
            for name, r in self.template["Resources"].items()
            if "Condition" not in r or self.condition(r["Condition"])
        }

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.value(n) for n in node) if v is not _DROP]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            function = _FUNCTIONS.get(key)
            if function is not None:
                return function(self, arg)
        return {k: v for k, v in ((k, self.value(v)) for k, v in node.items()) if v is not _DROP}

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _DROP
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            return self.params[name]
        if name.endswith(".Alias"):  # SAM: the ARN of a function's AutoPublishAlias
            function = name.removesuffix(".Alias")
            alias = self.template["Resources"][function]["Properties"]["AutoPublishAlias"]
            return "arn:{}:lambda:{}:{}:function:<{}>:{}".format(
                PSEUDO["AWS::Partition"],
                PSEUDO["AWS::Region"],
                PSEUDO["AWS::AccountId"],
                function,
                alias,
            )
        return f"<{name}>"

    def sub(self, arg: Any) -> str:
        text, names = (arg, {}) if isinstance(arg, str) else (arg[0], self.value(arg[1]))
        out, i = [], 0
        while (start := text.find("${", i)) >= 0:
            end = text.index("}", start)
            out.append(text[i:start])
            name = text[start + 2 : end]
            if name in names:
                out.append(str(names[name]))
            elif "." in name:
                out.append(f"<{name}>")
            else:
                out.append(str(self.ref(name)))
            i = end + 1
        out.append(text[i:])
        return "".join(out)


_FUNCTIONS = {
    "Ref": lambda r, a: r.ref(a),
    "Condition": lambda r, a: r.condition(a),
    "Fn::If": lambda r, a: r.value(a[1] if r.condition(a[0]) else a[2]),
    "Fn::Equals": lambda r, a: str(r.value(a[0])) == str(r.value(a[1])),
    "Fn::Not": lambda r, a: not r.value(a[0]),
    "Fn::And": lambda r, a: all(r.value(x) for x in a),
    "Fn::Or": lambda r, a: any(r.value(x) for x in a),
    "Fn::Sub": lambda r, a: r.sub(a),
    "Fn::Select": lambda r, a: r.value(a[1])[int(r.value(a[0]))],
    "Fn::Split": lambda r, a: str(r.value(a[1])).split(a[0]),
    "Fn::Join": lambda r, a: a[0].join(str(x) for x in r.value(a[1])),
    "Fn::GetAtt": lambda r, a: f"<{a[0]}.{a[1]}>" if isinstance(a, list) else f"<{a}>",
    "Fn::ImportValue": lambda r, a: f"<import {r.value(a)}>",
}
