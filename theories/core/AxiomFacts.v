(** This file describes why one axiom outside the DEVELOPERS.md allowlist
    may appear in [Print Assumptions]: Stdlib's [Epsilon.epsilon_statement]
    (Hilbert's epsilon), which mathcomp-analysis uses to make Stdlib's [R] a
    [realType] (its choice structure, in Rstruct).  It adds no logical
    strength: it follows from two allowlisted axioms,
    [constructive_indefinite_description] and [classic], as proved here.
    The audit (audit/audit.py) allowlists it on this ground and audits this
    lemma, which must rest on those two axioms only. *)

From Coq Require Import IndefiniteDescription Classical_Prop.

Lemma epsilon_statement_of_allowlist (A : Type) (P : A -> Prop) :
  inhabited A -> {x : A | (exists x0 : A, P x0) -> P x}.
Proof.
  intros Hinh.
  apply constructive_indefinite_description.
  destruct Hinh as [a].
  destruct (classic (exists x0, P x0)) as [[x0 Hx0] | Hnone].
  - exists x0. intros _. exact Hx0.
  - exists a. intros Hsome. contradiction.
Qed.
