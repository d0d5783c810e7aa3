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
From mathcomp.analysis Require Import signed reals ereal topology normedtype sequences esum measure lebesgue_measure numfun lebesgue_integral derive realfun Rstruct exp trigo.
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

(** * Integrability *)

Lemma expR_ge_id (y : R) : y <= expR y.
Proof.
case: (leP 0 y) => y0; last by apply: ltW (lt_trans y0 (expR_gt0 _)).
by apply: le_trans (expR_ge1Dx y0); rewrite ler_addr.
Qed.

Lemma continuous_inv1sqr : continuous (fun x : R => ((1 + x ^+ 2)^-1)%R).
Proof.
move=> x; apply: (@continuousV _ _ (fun y : R => 1 + y ^+ 2)).
  by rewrite gt_eqF// ltr_paddr ?sqr_ge0.
apply: continuousD; first exact: cst_continuous.
rewrite (_ : (fun x : R => x ^+ 2) = (fun x => x * x)); last first.
  by apply: funext => y; rewrite expr2.
by apply: continuousM; exact: id.
Qed.

Lemma integrable_inv1sqr :
  lambda.-integrable setT (fun x : R => (((1 + x ^+ 2)^-1)%R)%:E).
Proof.
apply: (@integrable_bounded_primitive _ (@atan R) continuous_inv1sqr _ pi).
- by move=> x; rewrite invr_ge0 addr_ge0// sqr_ge0.
- move=> x; rewrite ler_norml; apply/andP; split.
    apply: le_trans (ltW (atan_gtNpi2 x)); rewrite ler_opp2.
    by rewrite ler_pdivr_mulr// ler_pemulr ?pi_ge0// ler1n.
  apply: le_trans (ltW (atan_ltpi2 x)) _.
  by rewrite ler_pdivr_mulr// ler_pemulr ?pi_ge0// ler1n.
Qed.

Lemma expR_quad_bound (a b x : R) : 0 < b ->
  (1 + x ^+ 2) * expR (a * `|x| - b * x ^+ 2) <=
  expR (a ^+ 2 / (2 * b)) * (1 + 2 / b).
Proof.
move=> b0; have xu : x ^+ 2 = `|x| ^+ 2 by rewrite real_normK ?num_real.
rewrite xu; move: (normr_ge0 x); set u := `|x| => u0.
set y := b / 2 * u ^+ 2.
have y0 : 0 <= y by rewrite mulr_ge0 ?sqr_ge0// divr_ge0// ltW.
have H1 : a * u - b * u ^+ 2 <= a ^+ 2 / (2 * b) - y.
  rewrite /y -subr_ge0.
  have -> : a ^+ 2 / (2 * b) - b / 2 * u ^+ 2 - (a * u - b * u ^+ 2) =
            (a - b * u) ^+ 2 / (2 * b).
    have bn0 : b != 0 by rewrite gt_eqF.
    have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
    rewrite -?(RinvE (mulf_neq0 n2 bn0)) -?(RinvE n2) -?(RinvE bn0); to_std.
    have bn0' : b <> 0%R by apply/eqP.
    by field.
  by rewrite divr_ge0 ?sqr_ge0// mulr_ge0// ltW.
have H2 : expR (a * u - b * u ^+ 2) <= expR (a ^+ 2 / (2 * b)) * expR (- y).
  by rewrite -expRD ler_expR.
have H3 : y * expR (- y) <= 1.
  rewrite -(expRxMexpNx_1 y) ler_wpmul2r//; first exact: ltW (expR_gt0 _).
  exact: expR_ge_id.
have H4 : expR (- y) <= 1 by rewrite -expR0 ler_expR oppr_le0.
have H5 : u ^+ 2 * expR (- y) <= 2 / b.
  have -> : u ^+ 2 * expR (- y) = 2 / b * (y * expR (- y)).
    have bn0 : b != 0 by rewrite gt_eqF.
    have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
    rewrite /y -(RinvE n2) -(RinvE bn0); to_std.
    have bn0' : b <> 0%R by apply/eqP.
    by field.
  by rewrite -{2}(mulr1 (2 / b)) ler_wpmul2l// divr_ge0// ltW.
apply: le_trans (ler_wpmul2l _ H2) _; first by rewrite addr_ge0// sqr_ge0.
rewrite mulrCA; apply: ler_wpmul2l; first exact: ltW (expR_gt0 _).
by rewrite mulrDl mul1r ler_add.
Qed.

Lemma continuous_quad (a b : R) :
  continuous (fun x : R => a * `|x| - b * x ^+ 2).
Proof.
move=> x; apply: (@continuousB _ _ _ (fun x : R => a * `|x|)
   (fun x : R => b * x ^+ 2)).
  apply: (@continuousM _ _ (fun=> a) (fun x : R => `|x|)).
    exact: cst_continuous.
  exact: norm_continuous.
apply: (@continuousM _ _ (fun=> b) (fun x : R => x ^+ 2)).
  exact: cst_continuous.
rewrite (_ : (fun x : R => x ^+ 2) = (fun x => x * x)); last first.
  by apply: funext => y; rewrite expr2.
by apply: (@continuousM _ _ id id); exact: id.
Qed.

Lemma continuous_expR_quad (a b : R) :
  continuous (fun x : R => expR (a * `|x| - b * x ^+ 2)).
Proof.
move=> x; apply: (@continuous_comp _ _ _ (fun x : R => a * `|x| - b * x ^+ 2) expR).
  exact: continuous_quad.
exact: continuous_expR.
Qed.

Lemma integrable_expR_quad (a b : R) : 0 < b ->
  lambda.-integrable setT (fun x : R => (expR (a * `|x| - b * x ^+ 2))%:E).
Proof.
move=> b0; set K := expR (a ^+ 2 / (2 * b)) * (1 + 2 / b).
have K0 : 0 <= K.
  by rewrite mulr_ge0 ?addr_ge0 ?divr_ge0 ?ltW// expR_gt0.
apply: (@le_integrable _ _ _ lambda _ measurableT _
  (fun x => K%:E * (((1 + x ^+ 2)^-1)%R)%:E)%E); last first.
  exact: integrablerM integrable_inv1sqr.
  move=> x _; rewrite /= lee_fin (ger0_norm (ltW (expR_gt0 _))) ger0_norm; last first.
    by rewrite mulr_ge0// invr_ge0 addr_ge0// sqr_ge0.
  rewrite ler_pdivl_mulr ?ltr_paddr ?sqr_ge0// mulrC.
  exact: expR_quad_bound.
apply/EFin_measurable_fun; apply: continuous_measurable_fun.
exact: continuous_expR_quad.
Qed.

Definition gauss_integrable (m s : R) (h : R -> R) :=
  lambda.-integrable setT (fun x => (h x * gauss_pdf m s x)%:E).

Definition gauss_expect (m s : R) (h : R -> R) : R :=
  fine (\int[lambda]_x (h x * gauss_pdf m s x)%:E)%E.

Lemma derivable_continuous (f : R -> R) :
  (forall x, derivable f x 1) -> continuous f.
Proof. by move=> df x; exact/differentiable_continuous/derivable1_diffP. Qed.

Lemma continuous_gauss_pdf m s : continuous (gauss_pdf m s).
Proof.
apply: derivable_continuous => x.
have dl : is_derive x 1 (fun y => gauss_logpdf m s y)
    (- ((x - m) / s * s^-1)).
  rewrite /gauss_logpdf; apply: trigger_derive.
  have E a b : a *: b = a * b :> R by [].
  have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
  rewrite !E -?(RinvE n2); to_std.
  by field.
by case: (@is_derive1_comp _ expR _ x _ _ (is_derive_expR _) dl).
Qed.

Lemma gauss_pdf_le m s x : 0 < s ->
  gauss_pdf m s x <= (s * gauss_const)^-1 *
    expR ((`|m| / s ^+ 2) * `|x| - (2 * s ^+ 2)^-1 * x ^+ 2).
Proof.
move=> s0; rewrite gauss_pdfE// mulrC; apply: ler_wpmul2l.
  by rewrite invr_ge0 mulr_ge0// ltW// gauss_const_gt0.
rewrite ler_expR -subr_ge0.
have xm : x * m <= `|x| * `|m| by rewrite -normrM ler_norm.
move: xm; set ux := `|x|; set um := `|m| => xm.
have sn0 : s != 0 by rewrite gt_eqF.
have -> : um / s ^+ 2 * ux - (2 * s ^+ 2)^-1 * x ^+ 2 - - (((x - m) / s) ^+ 2 / 2) =
    (s ^+ 2)^-1 * ((ux * um - x * m) + m ^+ 2 / 2).
  have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
  rewrite [(2 * s ^+ 2)^-1]invfM -(RinvE (expf_neq0 2 sn0)) -(RinvE sn0) -(RinvE n2).
  to_std; by field; apply/eqP.
rewrite mulr_ge0// ?invr_ge0 ?sqr_ge0// addr_ge0 ?subr_ge0//.
by rewrite mulr_ge0 ?sqr_ge0// invr_ge0 ler0n.
Qed.

Lemma expR_abs_ge1 (y : R) : 1 <= expR `|y|.
Proof. by rewrite -expR0 ler_expR. Qed.

Lemma gauss_pdf_unif_le (m s M s1 s2 x : R) :
  0 < s1 -> s1 <= s -> s <= s2 -> `|m| <= M ->
  gauss_pdf m s x <= (s1 * gauss_const)^-1 *
    expR ((M / s1 ^+ 2) * `|x| - (2 * s2 ^+ 2)^-1 * x ^+ 2).
Proof.
move=> s10 s1s ss2 mM.
have s0 : 0 < s := lt_le_trans s10 s1s.
have s20 : 0 < s2 := lt_le_trans s0 ss2.
have c0 := gauss_const_gt0.
apply: le_trans (gauss_pdf_le _ _ s0) _.
apply: ler_pmul.
- by rewrite invr_ge0 mulr_ge0// ltW.
- exact: ltW (expR_gt0 _).
- by rewrite lef_pinv ?posrE ?mulr_gt0// ler_pmul2r.
rewrite ler_expR; apply: ler_add.
  apply: ler_wpmul2r => //; apply: ler_pmul => //; rewrite ?invr_ge0 ?sqr_ge0//.
  rewrite lef_pinv ?posrE ?exprn_gt0// ler_expn2r ?nnegrE//; exact: ltW.
rewrite ler_opp2; apply: ler_wpmul2r; first exact: sqr_ge0.
rewrite lef_pinv ?posrE ?mulr_gt0 ?exprn_gt0// ler_pmul2l//.
rewrite ler_expn2r ?nnegrE//; exact: ltW.
Qed.

(** A uniform Gaussian domination: a function bounded by [C exp(a|x|)]
    times any density with [|m| <= M] and [s1 <= s <= s2] is below one
    integrable function. *)
Definition gauss_dom (C a M s1 s2 : R) (x : R) : R :=
  C * (s1 * gauss_const)^-1 *
  expR ((a + M / s1 ^+ 2) * `|x| - (2 * s2 ^+ 2)^-1 * x ^+ 2).

Lemma gauss_dom_integrable C a M s1 s2 : 0 < s2 ->
  lambda.-integrable setT (EFin \o gauss_dom C a M s1 s2).
Proof.
move=> s20.
have b0 : 0 < (2 * s2 ^+ 2)^-1 by rewrite invr_gt0 mulr_gt0// exprn_gt0.
have := integrablerM measurableT (C * (s1 * gauss_const)^-1)
    (integrable_expR_quad (a + M / s1 ^+ 2) b0).
apply: eq_integrable => // x _.
Qed.

Lemma gauss_dom_le (C a M s1 s2 m s x : R) :
  0 < s1 -> s1 <= s -> s <= s2 -> `|m| <= M -> 0 <= C ->
  C * expR (a * `|x|) * gauss_pdf m s x <= gauss_dom C a M s1 s2 x.
Proof.
move=> s10 s1s ss2 mM C0.
rewrite /gauss_dom -!mulrA; apply: ler_wpmul2l => //.
apply: le_trans (ler_wpmul2l (ltW (expR_gt0 _)) (gauss_pdf_unif_le x s10 s1s ss2 mM)) _.
by rewrite mulrCA -expRD [(a + _) * _]mulrDl addrA.
Qed.

(** Functions bounded by [C exp(a|x|)] are integrable against every
    Gaussian density. *)
Theorem gauss_integrable_expR (m s C a : R) (h : R -> R) : 0 < s ->
  measurable_fun setT h -> (forall x, `|h x| <= C * expR (a * `|x|)) ->
  gauss_integrable m s h.
Proof.
move=> s0 mh hb.
have C0 : 0 <= C.
  have := le_trans (normr_ge0 _) (hb 0).
  by rewrite normr0 mulr0 expR0 mulr1.
apply: (@le_integrable _ _ _ lambda _ measurableT _
  (EFin \o gauss_dom C a `|m| s s)); last exact: gauss_dom_integrable.
  apply/EFin_measurable_fun; apply: measurable_funM => //.
  exact: continuous_measurable_fun (@continuous_gauss_pdf m s).
move=> x _; rewrite /= lee_fin normrM (gtr0_norm (gauss_pdf_gt0 _ _ _)).
rewrite [X in _ <= X]ger0_norm; last first.
  rewrite /gauss_dom; apply: mulr_ge0; last exact: ltW (expR_gt0 _).
  by apply: mulr_ge0 => //; rewrite invr_ge0 mulr_ge0// ltW// gauss_const_gt0.
apply: le_trans _ (@gauss_dom_le C a `|m| s s m s x s0 (lexx _) (lexx _) (lexx _) C0).
by apply: ler_wpmul2r; [exact: ltW (gauss_pdf_gt0 _ _ _)|exact: hb].
Qed.
