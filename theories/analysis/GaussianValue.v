(** * The value of the Gaussian integral

    [gauss_integral : \int exp(-x^2/2) dx = sqrt(2 pi)] for the Lebesgue
    measure on Stdlib [R].  mathcomp-analysis 0.6 has no change of variables
    and no polar coordinates, so the proof goes through two parametric
    integrals over [`]0, 1]] and the Leibniz rule of Leibniz.v:
    - [gauss_prim t = \int_0^1 t exp(-(t s)^2/2) ds] is a primitive of
      [exp(-t^2/2)] on the whole line ([is_derive_gauss_prim]: Leibniz rule,
      then Newton-Leibniz for [s |-> s exp(-(t s)^2/2)]); it is odd and
      nonnegative on [t >= 0];
    - [gauss_aux t = \int_0^1 exp(-t^2 (1 + s^2)/2) / (1 + s^2) ds] has
      derivative [-exp(-t^2/2) gauss_prim t] (Leibniz rule);
    - hence [gauss_prim t ^2 / 2 + gauss_aux t] is constant, equal to
      [gauss_aux 0 = atan 1 = pi/4];
    - [gauss_aux n --> 0], so [gauss_prim n --> sqrt(2 pi)/2], and the
      improper Newton-Leibniz theorem of LebesgueFTC.v concludes. *)
From Certigrad Require Import Preamble.
From Certigrad Require Import Leibniz LebesgueFTC Gaussian.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Notation R := real_realType.
Notation lambda := (@lebesgue_measure R).
#[local] Hint Extern 0 (measurable _) => solve [apply: measurable_itv] : core.

(** * Derivatives and continuity of the integrands *)

Lemma is_derive_expR_comp (g : R -> R) (x dg : R) :
  is_derive x 1 g dg -> is_derive x 1 (fun y => expR (g y)) (expR (g x) * dg).
Proof. exact: (@is_derive1_comp _ expR g x _ _ (is_derive_expR _)). Qed.

Lemma is_derive_continuous (f df : R -> R) :
  (forall x, is_derive x 1 f (df x)) -> continuous f.
Proof. by move=> H; apply: derivable_continuous => x; case: (H x). Qed.

Lemma continuous_ext (f g : R -> R) : f =1 g -> continuous g -> continuous f.
Proof. by move=> /funext ->. Qed.

(** [gexp c u = exp(-(u c)^2/2)]; both integrands are built from it. *)
Definition gexp (c u : R) : R := expR (- ((u * c) ^+ 2 / 2)).

Lemma gexpC c u : gexp c u = gexp u c.
Proof. by rewrite /gexp (mulrC u c). Qed.

Lemma is_derive_gexp (c u : R) :
  is_derive u 1 (gexp c) (- (u * c ^+ 2) * gexp c u).
Proof.
have E a b : a *: b = a * b :> R by [].
have dg : is_derive u 1 (fun v : R => - ((v * c) ^+ 2 / 2)) (- (u * c ^+ 2)).
  apply: trigger_derive; rewrite !E.
  have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
  rewrite -(RinvE n2); to_std; by field.
by rewrite mulrC; exact: is_derive_expR_comp.
Qed.

Lemma is_derive_id_gexp (c u : R) :
  is_derive u 1 (fun v => v * gexp c v) (gexp c u * (1 - (u * c) ^+ 2)).
Proof.
have E a b : a *: b = a * b :> R by [].
apply: (trigger_derive (is_deriveM (is_derive_id u 1) (is_derive_gexp c u))).
rewrite !E; move: (gexp c u) => G; by to_std; ring.
Qed.

Lemma continuous_gexp c : continuous (gexp c).
Proof. exact: is_derive_continuous (is_derive_gexp c). Qed.

Lemma continuous_gexp_l u : continuous (fun c => gexp c u).
Proof.
apply: (@continuous_ext _ (gexp u)); last exact: continuous_gexp.
by move=> c; rewrite gexpC.
Qed.

Lemma gexp_le1 c u : gexp c u <= 1.
Proof.
by rewrite /gexp -[X in _ <= X]expR0 ler_expR oppr_le0 divr_ge0// sqr_ge0.
Qed.

Lemma gexp_gt0 c u : 0 < gexp c u.
Proof. exact: expR_gt0. Qed.

Lemma gexp1 u : gexp 1 u = expR (- (u ^+ 2 / 2)).
Proof. by rewrite /gexp mulr1. Qed.

Lemma gexp_at0 c : gexp c 0 = 1.
Proof. by rewrite /gexp mul0r expr0n/= mul0r oppr0 expR0. Qed.

(** * Bounds on the parameter interval [`](- r), r[] *)

Lemma in_itv_norm1 (x : R) : x \in `](- (`|x| + 1)), (`|x| + 1)[.
Proof. by rewrite in_itv/= -ltr_norml ltr_addl ltr01. Qed.

Lemma itv_norm_le (r t : R) : t \in `](- r), r[ -> `|t| <= r.
Proof. by rewrite in_itv/= -ltr_norml => /ltW. Qed.

Lemma norm_1B_le (y M : R) : 0 <= y -> y <= M -> `|1 - y| <= 1 + M.
Proof.
move=> /RleP y0 /RleP yM; to_std_in y0; to_std_in yM.
by rewrite ler_norml; apply/andP; split; apply/RleP; to_std; lra.
Qed.

Lemma sqr_le_norm (t s r : R) : `|t| <= r -> 0 < s <= 1 -> (s * t) ^+ 2 <= r ^+ 2.
Proof.
move=> tr /andP[s0 s1].
rewrite exprMn -[r ^+ 2]mul1r ler_pmul ?sqr_ge0//.
  by rewrite expr_le1// ltW.
rewrite -real_normK ?num_real// ler_expn2r ?nnegrE//.
exact: le_trans tr.
Qed.

(** * The primitive [gauss_prim t = \int_0^1 t exp(-(t s)^2/2) ds] *)

Definition gauss_prim (t : R) : R :=
  fine (\int[lambda]_(s in `]0%R, 1%R]) (t * gexp s t)%:E)%E.

Lemma continuous_prim_integrand t : continuous (fun s => t * gexp s t).
Proof.
move=> s; apply: (@continuousM _ _ (cst t) (fun s => gexp s t)).
  exact: cst_continuous.
exact: continuous_gexp_l.
Qed.

Lemma is_derive_prim_integrand s t :
  is_derive t 1 (fun t => t * gexp s t) (gexp t s * (1 - (s * t) ^+ 2)).
Proof. rewrite (gexpC t s) (mulrC s t); exact: is_derive_id_gexp. Qed.

Lemma continuous_prim_dt t : continuous (fun s => gexp t s * (1 - (s * t) ^+ 2)).
Proof.
move=> s; apply: (@continuousM _ _ (gexp t) (fun s => 1 - (s * t) ^+ 2)).
  exact: continuous_gexp.
apply: (@is_derive_continuous _ (fun s => - (2 * s * t ^+ 2))) => u.
have E a b : a *: b = a * b :> R by [].
by apply: trigger_derive; rewrite !E; to_std; ring.
Qed.

(** [\int_0^1 d/dt (t exp(-(t s)^2/2)) ds = exp(-t^2/2)] by Newton-Leibniz in
    [s], as [d/ds (s exp(-(t s)^2/2))] is the same function. *)
Lemma integral_prim_dt t :
  (\int[lambda]_(s in `]0%R, 1%R]) (gexp t s * (1 - (s * t) ^+ 2))%:E =
   (expR (- (t ^+ 2 / 2)))%:E)%E.
Proof.
rewrite (@newton_leibniz _ (@continuous_prim_dt t) (fun s => s * gexp t s) 0 1
  ler01 (is_derive_id_gexp t)).
by rewrite mul1r mul0r subr0 gexpC gexp1.
Qed.

Lemma is_derive_gauss_prim t : is_derive t 1 gauss_prim (expR (- (t ^+ 2 / 2))).
Proof.
set r := `|t| + 1.
have := @leibniz_is_derive _ _ _ lambda `]0%R, 1%R]%classic (measurable_itv _)
  (fun t s => t * gexp s t) (fun t s => gexp t s * (1 - (s * t) ^+ 2))
  (fun=> 1 + r ^+ 2) (- r) r _ _ _ _ t (in_itv_norm1 t).
rewrite integral_prim_dt /=; apply.
- by move=> u _; exact: integrable_itv_continuous (@continuous_prim_integrand u).
- by move=> s _ u _; exact: is_derive_prim_integrand.
- exact: integrable_itv_cst.
- move=> s; rewrite /= in_itv/= => s01 u /itv_norm_le ur.
  rewrite normrM ger0_norm ?(ltW (gexp_gt0 _ _))// -[1 + r ^+ 2]mul1r.
  rewrite ler_pmul ?gexp_le1 ?normr_ge0 ?(ltW (gexp_gt0 _ _))//.
  exact: norm_1B_le (sqr_ge0 _) (sqr_le_norm ur s01).
Qed.

Lemma gauss_prim0 : gauss_prim 0 = 0.
Proof.
rewrite /gauss_prim; under eq_integral do rewrite mul0r.
by rewrite integral0.
Qed.

Lemma gauss_prim_ge0 t : 0 <= t -> 0 <= gauss_prim t.
Proof.
move=> t0; rewrite /gauss_prim fine_ge0// integral_ge0// => s _.
by rewrite lee_fin mulr_ge0// ltW// gexp_gt0.
Qed.

Lemma prim_integrandN t s :
  (- t * gexp s (- t))%:E = ((-1)%:E * (t * gexp s t)%:E)%E.
Proof. by rewrite -EFinM /gexp [(- t) * s]mulNr sqrrN mulN1r mulNr. Qed.

Lemma gauss_primN t : gauss_prim (- t) = - gauss_prim t.
Proof.
have int := integrable_itv_continuous 0 1 (@continuous_prim_integrand t).
rewrite /gauss_prim; under eq_integral do rewrite prim_integrandN.
rewrite integralM//.
rewrite -(fineK (@integral_fune_fin_num _ _ _ lambda _ (measurable_itv _) _ int)).
by rewrite -EFinM /= mulN1r.
Qed.

(** * The auxiliary integral [\int_0^1 exp(-t^2 (1 + s^2)/2) / (1 + s^2) ds] *)

Definition gauss_aux (t : R) : R :=
  fine (\int[lambda]_(s in `]0%R, 1%R]) (gexp 1 t * gexp s t / (1 + s ^+ 2))%:E)%E.

Lemma continuous_aux_integrand t :
  continuous (fun s => gexp 1 t * gexp s t / (1 + s ^+ 2)).
Proof.
move=> s; apply: (@continuousM _ _ (fun s => gexp 1 t * gexp s t)
  (fun s => (1 + s ^+ 2)^-1)); last exact: continuous_inv1sqr.
apply: (@continuousM _ _ (cst (gexp 1 t)) (fun s => gexp s t)).
  exact: cst_continuous.
exact: continuous_gexp_l.
Qed.

Lemma is_derive_aux_integrand s t :
  is_derive t 1 (fun t => gexp 1 t * gexp s t / (1 + s ^+ 2))
    (- gexp 1 t * (t * gexp s t)).
Proof.
have E a b : a *: b = a * b :> R by [].
have d1 := is_derive_gexp 1 t; have d2 := is_derive_gexp s t.
apply: trigger_derive; rewrite !E.
have s2 : 1 + s ^+ 2 != 0 by rewrite gt_eqF// ltr_paddr ?sqr_ge0.
rewrite -(RinvE s2); move: (gexp 1 t) (gexp s t) => G1 G2.
by to_std; field; apply/eqP; move: s2; to_std.
Qed.

Lemma integral_aux_dt t :
  (\int[lambda]_(s in `]0%R, 1%R]) (- gexp 1 t * (t * gexp s t))%:E =
   (- gexp 1 t * gauss_prim t)%:E)%E.
Proof.
have int := integrable_itv_continuous 0 1 (@continuous_prim_integrand t).
under eq_integral do rewrite EFinM.
rewrite integralM// /gauss_prim EFinM fineK//.
exact: (@integral_fune_fin_num _ _ _ lambda _ (measurable_itv _) _ int).
Qed.

Lemma is_derive_gauss_aux t : is_derive t 1 gauss_aux (- gexp 1 t * gauss_prim t).
Proof.
set r := `|t| + 1.
have := @leibniz_is_derive _ _ _ lambda `]0%R, 1%R]%classic (measurable_itv _)
  (fun t s => gexp 1 t * gexp s t / (1 + s ^+ 2))
  (fun t s => - gexp 1 t * (t * gexp s t)) (fun=> r) (- r) r _ _ _ _ t
  (in_itv_norm1 t).
rewrite integral_aux_dt /=; apply.
- by move=> u _; exact: integrable_itv_continuous (@continuous_aux_integrand u).
- by move=> s _ u _; exact: is_derive_aux_integrand.
- exact: integrable_itv_cst.
- move=> s _ u /itv_norm_le ur.
  have G0 c : 0 <= gexp c u := ltW (gexp_gt0 c u).
  rewrite mulNr normrN mulrCA normrM -[r]mulr1.
  apply: ler_pmul => //; rewrite ger0_norm ?mulr_ge0//.
  by rewrite mulr_ile1 ?gexp_le1.
Qed.

(** [gauss_aux 0 = \int_0^1 1/(1 + s^2) ds = atan 1]. *)
Lemma gauss_aux0 : gauss_aux 0 = pi / 4%:R.
Proof.
rewrite /gauss_aux; under eq_integral do rewrite !gexp_at0 !mul1r.
rewrite (@newton_leibniz _ continuous_inv1sqr (@atan R) 0 1 ler01
  (@is_derive1_atan R)).
by rewrite /= atan1 atan0 subr0.
Qed.

(** The derivative of [gauss_prim ^ 2 / 2 + gauss_aux] vanishes. *)
Lemma gauss_prim_aux t : gauss_prim t ^+ 2 / 2 + gauss_aux t = pi / 4%:R.
Proof.
have -> : pi / 4%:R = gauss_prim 0 ^+ 2 / 2 + gauss_aux 0.
  by rewrite gauss_prim0 expr2 !mul0r add0r gauss_aux0.
apply: (@is_derive_0_is_cst _ (fun t => gauss_prim t ^+ 2 / 2 + gauss_aux t)).
move=> u; have dA := is_derive_gauss_prim u; have dB := is_derive_gauss_aux u.
have E a b : a *: b = a * b :> R by [].
apply: trigger_derive; rewrite !E gexp1.
move: (gauss_prim u) (expR (- (u ^+ 2 / 2))) => A G.
have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
rewrite -(RinvE n2); to_std; by field.
Qed.

(** * Limits at infinity *)

Lemma fine_between (x : \bar R) (a b : R) :
  (a%:E <= x)%E -> (x <= b%:E)%E -> a <= fine x <= b.
Proof. by case: x => [x||] //=; rewrite !lee_fin => -> ->. Qed.

(** [0 <= gauss_aux t <= exp(-t^2/2)], in the shape [cvg0_expR_quad] wants. *)
Lemma gauss_aux_bound t : `|gauss_aux t| <= 1 * expR (0 * `|t| - 2^-1 * t ^+ 2).
Proof.
have int := integrable_itv_continuous 0 1 (@continuous_aux_integrand t).
have G0 c : 0 <= gexp c t := ltW (gexp_gt0 c t).
have f0 (s : R) : 0 <= gexp 1 t * gexp s t / (1 + s ^+ 2).
  by rewrite mulr_ge0 ?mulr_ge0// invr_ge0 addr_ge0// sqr_ge0.
have I0 : (0%:E <= \int[lambda]_(s in `]0%R, 1%R])
    (gexp 1 t * gexp s t / (1 + s ^+ 2))%:E)%E.
  by apply: integral_ge0 => s _; rewrite lee_fin.
have I1 : (\int[lambda]_(s in `]0%R, 1%R]) (gexp 1 t * gexp s t / (1 + s ^+ 2))%:E
    <= (gexp 1 t)%:E)%E.
  apply: (@le_trans _ _ (\int[lambda]_(s in `]0%R, 1%R]) (cst (gexp 1 t)%:E s))%E).
    apply: ge0_le_integral => //.
    - by move=> s _; rewrite lee_fin.
    - by case: int.
    - by move=> s _; rewrite lee_fin.
    - exact: measurable_fun_cst.
    move=> s _; rewrite lee_fin -[X in _ <= X]mulr1 -mulrA ler_wpmul2l//.
    rewrite ler_pdivr_mulr ?ltr_paddr ?sqr_ge0// mul1r.
    by rewrite (le_trans (gexp_le1 _ _))// ler_addl sqr_ge0.
  rewrite integral_cst//.
  rewrite [X in (_ * X)%E](_ : _ = lambda `]0%R, 1%R]%classic)//.
  by rewrite lebesgue_itv_oc// subr0 mule1.
have /andP[B0 B1] := fine_between I0 I1.
rewrite /gauss_aux ger0_norm// mul1r mul0r sub0r.
by apply: le_trans B1 _; rewrite /gexp mulr1 [2^-1 * _]mulrC.
Qed.

Lemma gauss_aux_cvg0 : (fun n => gauss_aux n%:R) --> (0 : R).
Proof.
have b0 : (0 : R) < 2^-1 by rewrite invr_gt0 ltr0n.
exact: (cvg0_expR_quad b0 gauss_aux_bound).1.
Qed.

Lemma gauss_prim_cvg : (fun n => gauss_prim n%:R) --> gauss_const / 2.
Proof.
have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
have n4 : (4%:R : R) != 0 by rewrite pnatr_eq0.
have sq n : gauss_prim n%:R ^+ 2 = 2 * (pi / 4%:R) - 2 * gauss_aux n%:R.
  rewrite -(gauss_prim_aux n%:R); move: (gauss_prim _) (gauss_aux _) => A B.
  by rewrite -(RinvE n2); to_std; field.
have L2 : (gauss_const / 2) ^+ 2 = 2 * (pi / 4%:R) - 2 * 0.
  rewrite expr_div_n sqr_sqrtr ?mulr_ge0 ?pi_ge0// -(RinvE n4).
  by rewrite -(RinvE (expf_neq0 2 n2)); to_std; field.
have cv2 : (fun n => gauss_prim n%:R ^+ 2) --> (gauss_const / 2) ^+ 2.
  rewrite (funext sq) L2; apply: cvgB; first exact: cvg_cst.
  exact: cvgMr gauss_aux_cvg0.
have L0 : 0 <= gauss_const / 2 by rewrite divr_ge0 ?ler0n// ltW// gauss_const_gt0.
have -> : (fun n => gauss_prim n%:R) = Num.sqrt \o (fun n => gauss_prim n%:R ^+ 2).
  by apply: funext => n /=; rewrite sqrtr_sqr ger0_norm// gauss_prim_ge0// ler0n.
rewrite -[X in _ --> X](ger0_norm L0) -sqrtr_sqr.
by apply: continuous_cvg => //; exact: sqrt_continuous.
Qed.

(** * The Gaussian integral *)

Lemma continuous_gauss_kernel : continuous (fun x : R => expR (- (x ^+ 2 / 2))).
Proof.
apply: (@continuous_ext _ (gexp 1)); last exact: continuous_gexp.
by move=> x; rewrite gexp1.
Qed.

Lemma integrable_gauss_kernel :
  lambda.-integrable setT (fun x : R => (expR (- (x ^+ 2 / 2)))%:E).
Proof.
have h : (0 : R) < 2^-1 by rewrite invr_gt0 ltr0n.
have := @integrable_expR_quad 0 (2^-1) h.
apply: eq_integrable => // x _.
by rewrite mul0r sub0r mulrC.
Qed.

Theorem gauss_integral :
  (\int[lambda]_x (expR (- (x ^+ 2 / 2)))%:E = gauss_const%:E)%E.
Proof.
have cvN : (fun n => gauss_prim (- n%:R)) --> - (gauss_const / 2).
  rewrite (_ : (fun n => _) = (fun n => - gauss_prim n%:R)); last first.
    by apply: funext => n; rewrite gauss_primN.
  exact: cvgN gauss_prim_cvg.
rewrite (integral_improper continuous_gauss_kernel is_derive_gauss_prim
  integrable_gauss_kernel gauss_prim_cvg cvN).
have n2 : (2 : R) != 0 by rewrite pnatr_eq0.
by congr EFin; rewrite opprK -(RinvE n2); to_std; field.
Qed.
