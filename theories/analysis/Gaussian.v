(** * One-dimensional Gaussian density on Stdlib [R]

    [gauss_pdf mu s x = exp (-((x - mu)/s)^2/2) / (s * sqrt (2 pi))], defined
    as [expR (gauss_logpdf mu s x)] so that its logarithm is explicit.
    [gauss_score mu s dmu ds x] is the derivative of the log-density along a
    path [t |-> (mu t, s t)] with velocities [(dmu, ds)]:
    [is_derive_gauss_logpdf] and [is_derive_gauss_pdf].
    Later sections: integrability of exponentially bounded functions against
    the density, the moments, and the normalisation. *)
From Certigrad Require Import Preamble.
From Certigrad Require Import Leibniz LebesgueFTC.
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

(** * Moments, by integration by parts *)

Lemma is_derive_gauss_pdf_x m s x : 0 < s ->
  is_derive x 1 (gauss_pdf m s) (- ((x - m) / s ^+ 2) * gauss_pdf m s x).
Proof.
move=> s0; have sn0 : s != 0 by rewrite gt_eqF.
have dl : is_derive x 1 (fun y => gauss_logpdf m s y) (- ((x - m) / s ^+ 2)).
  rewrite /gauss_logpdf; apply: trigger_derive.
  have E a b : a *: b = a * b :> R by [].
  have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
  rewrite !E -?(RinvE n2) -(RinvE sn0) -(RinvE (expf_neq0 2 sn0)); to_std.
  by field; apply/eqP.
have := @is_derive1_comp _ expR _ x _ _ (is_derive_expR _) dl.
by rewrite mulrC.
Qed.

Lemma pow_le_expR n (y : R) : 0 <= y -> y ^+ n <= n%:R ^+ n * expR y.
Proof.
move=> y0; case: n => [|n]; first by rewrite !expr0 mul1r -expR0 ler_expR.
have n0 : 0 < n.+1%:R :> R by rewrite ltr0n.
have H : y / n.+1%:R <= expR (y / n.+1%:R) := expR_ge_id _.
have Ey : n.+1%:R * (y / n.+1%:R) = y by rewrite mulrC divfK ?gt_eqF.
have H' : (y / n.+1%:R) ^+ n.+1 <= expR y.
  have h1 : 0 <= y / n.+1%:R by rewrite divr_ge0// ler0n.
  have h2 : 0 <= expR (y / n.+1%:R) by exact: ltW (expR_gt0 _).
  by rewrite -{2}Ey expRMm ler_expn2r ?nnegrE.
rewrite -{1}Ey exprMn; apply: ler_wpmul2l => //.
Qed.

Lemma cpow_le_expR (m : R) k (x : R) :
  `|(x - m) ^+ k| <= k%:R ^+ k * expR `|m| * expR (1 * `|x|).
Proof.
rewrite normrX mul1r -mulrA -expRD.
apply: le_trans (pow_le_expR _ (normr_ge0 _)) _.
apply: ler_wpmul2l; first by rewrite exprn_ge0.
by rewrite ler_expR; apply: le_trans (ler_norm_sub x m) _; rewrite addrC.
Qed.

Lemma is_derive_cpow (m x : R) k :
  is_derive x 1 (fun y : R => (y - m) ^+ k.+1) (k.+1%:R * (x - m) ^+ k).
Proof.
have E a b : a *: b = a * b :> R by [].
elim: k => [|k IH].
  rewrite (_ : (fun y : R => (y - m) ^+ 1) = (fun y => y - m)); last first.
    by apply: funext => y; rewrite expr1.
  by apply: trigger_derive; rewrite expr0 mulr1 subr0.
rewrite (_ : (fun y : R => (y - m) ^+ k.+2) = (fun y => (y - m) ^+ k.+1 * (y - m)));
  last by apply: funext => y; rewrite exprSr.
apply: trigger_derive.
rewrite !E subr0 mulr1 [(x - m) ^+ k.+1]exprS.
by rewrite [k.+2%:R]mulrSr; to_std; ring.
Qed.

Lemma continuous_cpow (m : R) k : continuous (fun x : R => (x - m) ^+ k).
Proof.
case: k => [|k].
  rewrite (_ : (fun x : R => (x - m) ^+ 0) = cst 1); last first.
    by apply: funext => ?; rewrite expr0.
  exact: cst_continuous.
by apply: derivable_continuous => x; case: (is_derive_cpow m x k).
Qed.

Lemma gauss_integrable_cpow m s k : 0 < s ->
  gauss_integrable m s (fun x => (x - m) ^+ k).
Proof.
move=> s0; apply: (@gauss_integrable_expR _ _ (k%:R ^+ k * expR `|m|) 1) => //.
  exact: continuous_measurable_fun (@continuous_cpow m k).
exact: cpow_le_expR.
Qed.

Lemma cvg0_bound (u : nat -> R) (K : R) :
  (forall n, `|u n| <= K / n.+1%:R) -> u --> (0 : R).
Proof.
move=> H; apply/cvgrPdist_lt => e e0.
have K1 : 0 < `|K| + 1 by rewrite ltr_paddl.
have eK : 0 < e / (`|K| + 1) by rewrite divr_gt0.
near=> n; rewrite sub0r normrN (le_lt_trans (H n))//.
have hn : n.+1%:R^-1 < e / (`|K| + 1).
  by near: n; exact: (@near_infty_natSinv_lt _ (PosNum eK)).
apply: (le_lt_trans (y := (`|K| + 1) * n.+1%:R^-1)).
  apply: ler_wpmul2r; first by rewrite invr_ge0 ler0n.
  by apply: le_trans (ler_norm _) _; rewrite ler_addl.
by rewrite mulrC -ltr_pdivl_mulr.
Unshelve. all: by end_near. Qed.

Lemma cvg0_expR_quad (F : R -> R) (K a b : R) : 0 < b ->
  (forall x, `|F x| <= K * expR (a * `|x| - b * x ^+ 2)) ->
  (fun n => F n%:R) --> (0 : R) /\ (fun n => F (- n%:R)) --> (0 : R).
Proof.
move=> b0 HF.
have K0 : 0 <= K.
  have := le_trans (normr_ge0 _) (HF 0).
  by rewrite normr0 mulr0 expr0n /= mulr0 subr0 expR0 mulr1.
set K2 := expR (a ^+ 2 / (2 * b)) * (1 + 2 / b).
have bnd x : `|F x| <= K * K2 / (1 + x ^+ 2).
  apply: le_trans (HF x) _; rewrite -mulrA; apply: ler_wpmul2l => //.
  by rewrite ler_pdivl_mulr ?ltr_paddr ?sqr_ge0// mulrC expR_quad_bound.
have bn (n : nat) (x : R) : `|x| = n%:R -> `|F x| <= K * K2 / n.+1%:R.
  move=> xn; apply: le_trans (bnd x) _.
  have KK : 0 <= K * K2.
    apply: mulr_ge0 => //; apply: mulr_ge0; first exact: ltW (expR_gt0 _).
    by apply: addr_ge0 => //; apply: divr_ge0 => //; exact: ltW.
  apply: ler_wpmul2l => //; rewrite lef_pinv ?posrE ?ltr_paddr ?sqr_ge0//.
  rewrite -real_normK ?num_real// xn -natrX -natr1 addrC ler_add2l ler_nat.
  by case: n {xn} => // n; rewrite expnS leq_pmulr.
split; apply: (cvg0_bound (K := K * K2)) => n; apply: bn.
  by rewrite ger0_norm.
by rewrite normrN ger0_norm.
Qed.

Section moments.
Variables (m s : R).
Hypothesis s0 : 0 < s.

Let pdf := gauss_pdf m s.
Let A k x := (x - m) ^+ k * pdf x.

Let intA k : lambda.-integrable setT (EFin \o A k).
Proof. exact: gauss_integrable_cpow. Qed.

Let contA k : continuous (A k).
Proof.
move=> x; apply: (@continuousM _ _ (fun x => (x - m) ^+ k) pdf).
  exact: continuous_cpow.
exact: continuous_gauss_pdf.
Qed.

(** Integration by parts against the Gaussian density:
    [(k+1) E[(x-m)^k] = E[(x-m)^(k+2)] / s^2]. *)
Lemma gauss_ibp k :
  k.+1%:R * gauss_expect m s (fun x => (x - m) ^+ k) =
  (s ^+ 2)^-1 * gauss_expect m s (fun x => (x - m) ^+ k.+2).
Proof.
pose f x := k.+1%:R * A k x - (s ^+ 2)^-1 * A k.+2 x.
pose F x := (x - m) ^+ k.+1 * pdf x.
have sn0 : s != 0 by rewrite gt_eqF.
have dF x : is_derive x 1 F (f x).
  have H := is_deriveM (is_derive_cpow m x k) (is_derive_gauss_pdf_x m x s0).
  apply: (trigger_derive H).
  rewrite /f /A /pdf.
  have E a b : a *: b = a * b :> R by [].
  rewrite !E [(x - m) ^+ k.+2]exprS [(x - m) ^+ k.+1]exprS.
  move: (s ^- 2) ((x - m) ^+ k) (gauss_pdf m s x) (k.+1%:R : R) => is2 P G K.
  by to_std; ring.
have cf : continuous f.
  move=> x; apply: (@continuousB _ _ _ (fun x => k.+1%:R * A k x)
      (fun x => (s ^+ 2)^-1 * A k.+2 x)).
    by apply: (@continuousM _ _ (cst _) (A k)); [exact: cst_continuous|exact: contA].
  by apply: (@continuousM _ _ (cst _) (A k.+2)); [exact: cst_continuous|exact: contA].
have intf : lambda.-integrable setT (EFin \o f).
  have := integrableB measurableT (integrablerM measurableT k.+1%:R (intA k))
    (integrablerM measurableT (s ^+ 2)^-1 (intA k.+2)).
  by apply: eq_integrable => // x _; rewrite /f /= EFinB !EFinM.
have [FL1 FL0] : (fun n => F n%:R) --> (0 : R) /\ (fun n => F (- n%:R)) --> (0 : R).
  apply: (@cvg0_expR_quad F
     ((k.+1%:R ^+ k.+1 * expR `|m|) * (s * gauss_const)^-1)
     (1 + `|m| / s ^+ 2) ((2 * s ^+ 2)^-1)).
    by rewrite invr_gt0 mulr_gt0// exprn_gt0.
  move=> x; rewrite /F normrM (gtr0_norm (gauss_pdf_gt0 _ _ _)).
  have C0 : 0 <= k.+1%:R ^+ k.+1 * expR `|m|.
    by rewrite mulr_ge0 ?exprn_ge0 ?ler0n//; exact: ltW (expR_gt0 _).
  have H := @gauss_dom_le (k.+1%:R ^+ k.+1 * expR `|m|) 1 `|m| s s m s x s0
    (lexx _) (lexx _) (lexx _) C0.
  apply: le_trans _ H.
  apply: ler_wpmul2r; first exact: ltW (gauss_pdf_gt0 _ _ _).
  exact: cpow_le_expR.
have := integral_improper cf dF intf FL1 FL0.
rewrite subrr /f.
have -> : (\int[lambda]_x (k.+1%:R * A k x - (s ^+ 2)^-1 * A k.+2 x)%:E)%E =
  (k.+1%:R%:E * \int[lambda]_x (A k x)%:E - ((s ^+ 2)^-1)%:E * \int[lambda]_x (A k.+2 x)%:E)%E.
  under eq_integral do rewrite EFinB.
  have i1 := integrablerM measurableT k.+1%:R (intA k).
  have i2 := integrablerM measurableT (s ^+ 2)^-1 (intA k.+2).
  rewrite (@integralB_EFin _ _ _ lambda setT (fun x => k.+1%:R * A k x)
    (fun x => (s ^+ 2)^-1 * A k.+2 x))//.
  under eq_integral do rewrite EFinM.
  under [X in (_ - X)%E]eq_integral do rewrite EFinM.
  rewrite integralM//; last exact: intA.
  rewrite integralM//; exact: intA.
rewrite /gauss_expect -/pdf.
have fin j : (\int[lambda]_x (A j x)%:E)%E \is a fin_num.
  exact: (integral_fune_fin_num measurableT (intA j)).
rewrite -(fineK (fin k)) -(fineK (fin k.+2)) -!EFinM -EFinB => /eqP.
by rewrite eqe subr_eq0 => /eqP.
Qed.

Lemma gauss_mean0 : gauss_expect m s (fun x => x - m) = 0.
Proof.
pose f x := - (s ^+ 2)^-1 * A 1 x.
have sn0 : s != 0 by rewrite gt_eqF.
have dF x : is_derive x 1 pdf (f x).
  apply: (trigger_derive (is_derive_gauss_pdf_x m x s0)).
  rewrite /f /A /pdf expr1; move: (x - m) (gauss_pdf m s x) ((s ^+ 2)^-1) => y G is2.
  by to_std; ring.
have cf : continuous f.
  move=> x; apply: (@continuousM _ _ (cst _) (A 1)); first exact: cst_continuous.
  exact: contA.
have intf : lambda.-integrable setT (EFin \o f).
  have := integrablerM measurableT (- (s ^+ 2)^-1) (intA 1).
  by apply: eq_integrable => // x _; rewrite /f /= EFinM.
have [FL1 FL0] : (fun n => pdf n%:R) --> (0 : R) /\ (fun n => pdf (- n%:R)) --> (0 : R).
  apply: (@cvg0_expR_quad pdf ((s * gauss_const)^-1) (0 + `|m| / s ^+ 2)
     ((2 * s ^+ 2)^-1)).
    by rewrite invr_gt0 mulr_gt0// exprn_gt0.
  move=> x; rewrite (gtr0_norm (gauss_pdf_gt0 _ _ _)).
  have H := @gauss_dom_le 1 0 `|m| s s m s x s0 (lexx _) (lexx _) (lexx _) ler01.
  by move: H; rewrite /gauss_dom mul0r expR0 !mul1r.
have := integral_improper cf dF intf FL1 FL0.
rewrite subrr /f.
under eq_integral do rewrite EFinM.
rewrite integralM//; last exact: intA.
have fin : (\int[lambda]_x (A 1 x)%:E)%E \is a fin_num.
  exact: (integral_fune_fin_num measurableT (intA 1)).
rewrite -(fineK fin) -EFinM => /eqP; rewrite eqe mulf_eq0 oppr_eq0 invr_eq0.
rewrite expf_eq0 (negbTE sn0) andbF /= => /eqP H.
rewrite /gauss_expect -/pdf; rewrite (_ : (fun x => ((x - m) * pdf x)%:E) =
  (fun x => (A 1 x)%:E)) ?H//.
Qed.

Lemma gauss_moment2 :
  gauss_expect m s (fun x => (x - m) ^+ 2) = s ^+ 2 * gauss_expect m s (fun=> 1).
Proof.
have := gauss_ibp 0; rewrite mul1r.
have -> : (fun x => (x - m) ^+ 0) = (fun=> 1) by apply: funext => x; rewrite expr0.
move=> ->; rewrite mulrA mulfV ?mul1r// expf_neq0// gt_eqF.
  by [].
exact: s0.
Qed.

Lemma gauss_moment3 : gauss_expect m s (fun x => (x - m) ^+ 3) = 0.
Proof.
have := gauss_ibp 1.
have -> : (fun x => (x - m) ^+ 1) = (fun x => x - m) by apply: funext => x; rewrite expr1.
rewrite gauss_mean0 mulr0 => /esym /eqP; rewrite mulf_eq0 invr_eq0 expf_eq0.
by rewrite gt_eqF//= => /eqP.
Qed.

Lemma gauss_moment4 : gauss_expect m s (fun x => (x - m) ^+ 4) =
  3%:R * s ^+ 4 * gauss_expect m s (fun=> 1).
Proof.
have := gauss_ibp 2; rewrite gauss_moment2 => H.
have sn0 : s ^+ 2 != 0 by rewrite expf_neq0// gt_eqF.
apply: (mulfI (invr_neq0 sn0)); rewrite -H.
have sn : s != 0 by rewrite gt_eqF.
move: (gauss_expect m s (fun=> 1)) => E.
rewrite -(RinvE sn0); to_std; by field; apply/eqP.
Qed.

End moments.
