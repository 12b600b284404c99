import { describe, expect, it } from "vitest";
import { asksForPerson } from "../bots/present";
import { readPath, renderBody, templateProblem } from "./template";

describe("linked-record templates", () => {
  it("fills placeholders JSON-escaped, with missing values empty and source keys by name", () => {
    const body = renderBody(
      '{"n": "{{ contact.name }}", "t": "{{message.text}}", "u": "{{source.utm_term}}", "x": "{{source.gclid}}"}',
      {
        "contact.name": 'A "B" \\ C',
        "message.text": "line\nnext\u0001",
        "source.gclid": "g-1",
      },
    );
    expect(JSON.parse(body)).toEqual({ n: 'A "B" \\ C', t: "line\nnext\u0001", u: "", x: "g-1" });
  });

  it("names unknown placeholders and placeholders outside strings", () => {
    expect(templateProblem('{"a": "{{contact.age}}"}')).toContain("{{contact.age}}");
    expect(templateProblem('{"a": {{contact.name}}}')).toContain("inside a string");
    expect(templateProblem("not json")).toContain("valid JSON");
    expect(templateProblem('{"a": "{{contact.name}} {{source.utm_source}}"}')).toBeNull();
  });

  it("reads ids and links by dotted paths, numbers as text, nothing else", () => {
    const answer = { data: { id: 7, items: [{ url: "https://x.example/1" }], obj: { a: 1 } } };
    expect(readPath(answer, "data.id")).toBe("7");
    expect(readPath(answer, "data.items.0.url")).toBe("https://x.example/1");
    expect(readPath(answer, "data.obj")).toBeNull();
    expect(readPath(answer, "data.missing.id")).toBeNull();
  });
});

describe("bot hand-off keywords", () => {
  it("match whole words or phrases, ignoring case and punctuation", () => {
    expect(asksForPerson("Operator!!", ["operator"])).toBe("operator");
    expect(asksForPerson("I want a REAL, person please", ["real person"])).toBe("real person");
    expect(asksForPerson("cooperator", ["operator"])).toBeNull();
    expect(asksForPerson("Оператор, пожалуйста", ["оператор"])).toBe("оператор");
    expect(asksForPerson(null, ["operator"])).toBeNull();
  });
});
