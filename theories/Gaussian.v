(** * One-dimensional Gaussian density on Stdlib [R]

    [gauss_pdf mu s x = exp (-((x - mu)/s)^2/2) / (s * sqrt (2 pi))], defined
    as [expR (gauss_logpdf mu s x)] so that its logarithm is explicit.
    [gauss_score mu s dmu ds x] is the derivative of the log-density along a
    path [t |-> (mu t, s t)] with velocities [(dmu, ds)]:
    [is_derive_gauss_logpdf] and [is_derive_gauss_pdf].
    Later sections: integrability of exponentially bounded functions against
    the density, the moments, and the normalisation. *)
From Coq Require Import Reals Lra Psatz.
From HB Require Import structures.
From mathcomp Require Import all_ssreflect ssralg ssrnum ssrint interval finmap.
From mathcomp.classical Require Import boolp classical_sets functions cardinality fsbigop mathcomp_extra set_interval.
From mathcomp.analysis Require Import signed reals ereal topology normedtype sequences esum measure lebesgue_measure numfun lebesgue_integral derive realfun exp trigo Rstruct.
From Certigrad Require Import Leibniz LebesgueFTC.
Import Order.TTheory GRing.Theory Num.Def Num.Theory.
Import numFieldNormedType.Exports.
Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Notation R := real_realType.
Notation lambda := (@lebesgue_measure R).

(** * Definitions *)

Definition gauss_const : R := Num.sqrt (2 * pi).

Definition gauss_logpdf (mu s x : R) : R :=
  - (((x - mu) / s) ^+ 2 / 2) - ln s - ln gauss_const.

Definition gauss_pdf (mu s x : R) : R := expR (gauss_logpdf mu s x).

Definition gauss_score (mu s dmu ds x : R) : R :=
  (dmu * ((x - mu) / s) + ds * (((x - mu) / s) ^+ 2 - 1)) / s.

Lemma gauss_const_gt0 : 0 < gauss_const.
Proof. by rewrite sqrtr_gt0 mulr_gt0// pi_gt0. Qed.

Lemma gauss_pdf_gt0 mu s x : 0 < gauss_pdf mu s x.
Proof. exact: expR_gt0. Qed.

Lemma gauss_pdfE mu s x : 0 < s ->
  gauss_pdf mu s x = expR (- (((x - mu) / s) ^+ 2 / 2)) / (s * gauss_const).
Proof.
move=> s0; rewrite /gauss_pdf /gauss_logpdf !expRB !lnK ?posrE//.
  by rewrite invfM mulrA.
exact: gauss_const_gt0.
Qed.

Section score.
Variables (mu s : R -> R) (dmu ds t x : R).
Hypotheses (dmu_ : is_derive t 1 mu dmu) (ds_ : is_derive t 1 s ds).
Hypothesis s0 : 0 < s t.

Lemma is_derive_gauss_logpdf :
  is_derive t 1 (fun th => gauss_logpdf (mu th) (s th) x)
    (gauss_score (mu t) (s t) dmu ds x).
Proof.
have sn0 : s t != 0 by rewrite gt_eqF.
have dz : is_derive t 1 (fun th => (x - mu th) * (s th)^-1)
   ((x - mu t) *: (- (s t) ^- 2 *: ds) + (s t)^-1 *: (0 - dmu)).
  exact: is_deriveM.
have dln : is_derive t 1 (fun th => ln (s th)) ((s t)^-1 * ds).
  exact: (@is_derive1_comp _ (@ln R) s t _ _ (is_derive1_ln s0) ds_).
rewrite /gauss_logpdf; apply: trigger_derive.
have E a b : a *: b = a * b :> R by [].
rewrite /gauss_score !E -!exprVn.
have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
rewrite -(RinvE sn0) -(RinvE n2); to_std.
field; apply/eqP; exact: sn0.
Qed.
Lemma is_derive_gauss_pdf :
  is_derive t 1 (fun th => gauss_pdf (mu th) (s th) x)
    (gauss_pdf (mu t) (s t) x * gauss_score (mu t) (s t) dmu ds x).
Proof.
exact: (@is_derive1_comp _ expR (fun th => gauss_logpdf (mu th) (s th) x) t _ _
  (is_derive_expR _) is_derive_gauss_logpdf).
Qed.

End score.
