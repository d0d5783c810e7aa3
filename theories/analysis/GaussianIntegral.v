(** * Normalisation of the Gaussian density

    [gauss_mass m s] is the total mass [E_{N(m,s^2)}[1]].  Using the
    score-function swap of ExpectationSwap.v (no change of variables is
    available in mathcomp-analysis 0.6):
    - [gauss_mass_shift]: the mass does not depend on [m] (its derivative is
      [E[(x-m)/s^2] = 0]);
    - [gauss_mass_scale]: nor on [s] (its derivative is
      [E[(x^2/s^2 - 1)/s] = 0] by the second moment);
    - [gauss_mass_one]: so every Gaussian density integrates to 1, the mass
      of N(0, 1) being given by [gauss_integral] of GaussianValue.v
      ([\int exp(-x^2/2) = sqrt(2 pi)]); hence [gauss_expect_cst]: E[c] = c;
    - [gauss_mean], [gauss_variance], [gauss_second_moment]: E[x] = m,
      E[(x-m)^2] = s^2, E[x^2] = s^2 + m^2, all instances of
      [gauss_expect_cpoly] (polynomials of degree <= 4 in [x - m]).
    Also: linearity of [gauss_expect]. *)
From Certigrad Require Import Preamble.
From Certigrad Require Import Leibniz LebesgueFTC Gaussian ExpectationSwap GaussianValue.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Notation R := real_realType.
Notation lambda := (@lebesgue_measure R).

(** * Linearity of [gauss_expect] *)

Lemma gauss_expect_ext m s (h h' : R -> R) : h =1 h' ->
  gauss_expect m s h = gauss_expect m s h'.
Proof. by move=> /funext ->. Qed.

Lemma gauss_expectZ m s (c : R) (h : R -> R) : gauss_integrable m s h ->
  gauss_expect m s (fun x => c * h x) = c * gauss_expect m s h.
Proof.
move=> ih; rewrite /gauss_expect.
under eq_integral do rewrite -mulrA EFinM.
by rewrite integralM// fineM// integral_fune_fin_num.
Qed.

Lemma gauss_expectD m s (h h' : R -> R) :
  gauss_integrable m s h -> gauss_integrable m s h' ->
  gauss_expect m s (fun x => h x + h' x) =
  gauss_expect m s h + gauss_expect m s h'.
Proof.
move=> ih ih'; rewrite /gauss_expect.
under eq_integral do rewrite mulrDl EFinD.
by rewrite integralD_EFin// fineD// integral_fune_fin_num.
Qed.

Lemma gauss_integrableZ m s c h : gauss_integrable m s h ->
  gauss_integrable m s (fun x => c * h x).
Proof.
move=> ih; have := integrablerM measurableT c ih.
by apply: eq_integrable => // x _; rewrite /= -mulrA EFinM.
Qed.

Lemma gauss_integrableD m s h h' : gauss_integrable m s h ->
  gauss_integrable m s h' -> gauss_integrable m s (fun x => h x + h' x).
Proof.
move=> ih ih'; have := integrableD measurableT ih ih'.
by apply: eq_integrable => // x _; rewrite /= mulrDl EFinD.
Qed.

(** * Normalisation: the mass of N(m, s^2) does not depend on (m, s) *)

Definition gauss_mass (m s : R) : R := gauss_expect m s (fun=> 1).

Lemma gauss_integrable1 m s : 0 < s -> gauss_integrable m s (fun=> 1).
Proof.
move=> s0; apply: (@gauss_integrable_expR m s 1 0) => //.
  exact: measurable_fun_cst.
by move=> x; rewrite mul0r expR0 mulr1 normr1.
Qed.

Lemma is_derive_0_cst_pos (f : R -> R) (a b : R) :
  (forall x, 0 < x -> is_derive x 1 f 0) -> 0 < a -> 0 < b -> f a = f b.
Proof.
move=> df a0 b0.
wlog ab : a b a0 b0 / a <= b.
  move=> H; case: (leP a b) => [|/ltW] ab; first exact: H.
  by apply/esym/H.
have sub x : x \in `[a, b] -> 0 < x.
  by rewrite in_itv/= => /andP[ax _]; exact: lt_le_trans ax.
have d1 : forall x, x \in `]a, b[ -> is_derive x 1 f 0.
  by move=> x /subset_itv_oo_cc /sub /df.
have c1 : {within `[a, b], continuous f}.
  apply: continuous_in_subspaceT => x /set_mem /sub /df[dx _].
  exact/differentiable_continuous/derivable1_diffP.
have [c _] := @MVT_segment _ f (fun=> 0) a b ab d1 c1.
by rewrite mul0r => /eqP; rewrite subr_eq0 => /eqP.
Qed.

Lemma gauss_mass_shift (m s : R) : 0 < s -> gauss_mass m s = gauss_mass 0 s.
Proof.
move=> s0.
suff H : forall t, is_derive t 1 (fun m => gauss_mass m s) 0.
  exact: (@is_derive_0_is_cst _ (fun m => gauss_mass m s) m 0 H).
move=> t.
have tI : t \in `](t - 1), (t + 1)[.
  by rewrite in_itv/= ltr_subl_addr !ltr_addl ltr01.
have box : forall th, th \in `](t - 1), (t + 1)[ ->
  [/\ s <= s, s <= s, `|th| <= `|t| + 1, `|1 : R| <= 1 & `|0 : R| <= 0].
  move=> th; rewrite in_itv/= => /andP[th1 th2]; split => //.
  - have h : `|th - t| <= 1.
      rewrite ler_norml; apply/andP; split.
        by move/RltP: th1 => h1; apply/RleP; to_std_in h1; to_std; lra.
      by move/RltP: th2 => h2; apply/RleP; to_std_in h2; to_std; lra.
    by rewrite -[th](subrK t) (le_trans (ler_norm_add _ _))// addrC ler_add2l.
  - by rewrite normr1.
  - by rewrite normr0.
have hb : forall x : R, `|1 : R| <= 1 * expR (0 * `|x|).
  by move=> x; rewrite normr1 mul0r expR0 mulr1.
have mc : measurable_fun [set: R] (cst (1 : R)) by apply: measurable_fun_cst.
have H := @score_function_swap_growth (fun=> 1) id (fun=> s) (fun=> 1) (fun=> 0)
  (t - 1) (t + 1) 1 0 (`|t| + 1) s s 1 0 s0
  (fun th _ => is_derive_id th 1) (fun th _ => is_derive_cst s th 1) box
  mc hb t tI.
have V : gauss_expect t s (fun x => 1 * gauss_score t s 1 0 x) = 0.
  have sn0 : s != 0 by rewrite gt_eqF.
  rewrite (@gauss_expect_ext _ _ _ (fun x => (s ^+ 2)^-1 * (x - t))); last first.
    move=> x; rewrite /gauss_score mul1r mul0r addr0 mul1r.
    by rewrite -(RinvE sn0) -(RinvE (expf_neq0 2 sn0)); to_std; field; apply/eqP.
  rewrite gauss_expectZ ?gauss_mean0 ?mulr0//.
  have := gauss_integrable_cpow t 1 s0.
  by apply: eq_integrable => // x _; rewrite expr1.
by move: H; rewrite V.
Qed.

Lemma gauss_mass_scale (s : R) : 0 < s -> gauss_mass 0 s = gauss_mass 0 1.
Proof.
move=> s0.
suff H : forall t, 0 < t -> is_derive t 1 (fun s => gauss_mass 0 s) 0.
  exact: (@is_derive_0_cst_pos (fun s => gauss_mass 0 s) s 1 H s0 ltr01).
move=> t t0.
have t20 : 0 < t / 2 by rewrite divr_gt0.
have tI : t \in `](t / 2), (2 * t)[.
  rewrite in_itv/=; apply/andP; split.
    by rewrite ltr_pdivr_mulr// ltr_pmulr// ltr1n.
  by rewrite -[X in X < _]mul1r ltr_pmul2r// ltr1n.
have box : forall th, th \in `](t / 2), (2 * t)[ ->
  [/\ t / 2 <= th, th <= 2 * t, `|0 : R| <= 0, `|0 : R| <= 0 & `|1 : R| <= 1].
  move=> th; rewrite in_itv/= => /andP[th1 th2].
  split; rewrite ?normr0 ?normr1//; exact: ltW.
have hb : forall x : R, `|1 : R| <= 1 * expR (0 * `|x|).
  by move=> x; rewrite normr1 mul0r expR0 mulr1.
have mc : measurable_fun [set: R] (cst (1 : R)) by apply: measurable_fun_cst.
have H := @score_function_swap_growth (fun=> 1) (fun=> 0) id (fun=> 0) (fun=> 1)
  (t / 2) (2 * t) 1 0 0 (t / 2) (2 * t) 0 1 t20
  (fun th _ => is_derive_cst 0 th 1) (fun th _ => is_derive_id th 1) box
  mc hb t tI.
have V : gauss_expect 0 t (fun x => 1 * gauss_score 0 t 0 1 x) = 0.
  have tn0 : t != 0 by rewrite gt_eqF.
  rewrite (@gauss_expect_ext _ _ _
    (fun x => (t ^+ 3)^-1 * (x - 0) ^+ 2 + (- t^-1) * 1)); last first.
    move=> x; rewrite /gauss_score mul1r mul0r add0r mul1r.
    rewrite -(RinvE tn0) -(RinvE (expf_neq0 3 tn0)); to_std.
    by field; apply/eqP.
  rewrite gauss_expectD; last first.
  - exact: gauss_integrableZ (gauss_integrable1 _ t0).
  - exact: gauss_integrableZ (gauss_integrable_cpow _ _ t0).
  rewrite !gauss_expectZ; try exact: gauss_integrable1;
    try exact: gauss_integrable_cpow.
  have := gauss_moment2 0 t0.
  move=> ->; rewrite -/(gauss_mass 0 t).
  rewrite -(RinvE tn0) -(RinvE (expf_neq0 3 tn0)); to_std.
  by field; apply/eqP.
by move: H; rewrite V.
Qed.

Lemma gauss_mass01 :
  gauss_mass 0 1 =
  fine (\int[lambda]_x (expR (- (x ^+ 2 / 2)))%:E)%E / gauss_const.
Proof.
rewrite /gauss_mass /gauss_expect.
under eq_integral do rewrite mul1r gauss_pdfE ?ltr01// subr0 divr1 mul1r mulrC EFinM.
rewrite integralM//; last exact: integrable_gauss_kernel.
have fin := integral_fune_fin_num measurableT integrable_gauss_kernel.
by rewrite (fineM _ fin) // mulrC.
Qed.

(** Every Gaussian density integrates to 1. *)
Theorem gauss_mass_one m s : 0 < s -> gauss_mass m s = 1.
Proof.
move=> s0.
rewrite gauss_mass_shift// gauss_mass_scale// gauss_mass01 gauss_integral /=.
by rewrite mulfV// gt_eqF// gauss_const_gt0.
Qed.

(** The expectation of a constant. *)
Lemma gauss_expect_cst m s (c : R) : 0 < s -> gauss_expect m s (fun=> c) = c.
Proof.
move=> s0; rewrite (@gauss_expect_ext _ _ _ (fun x => c * 1)) => [|x]; last first.
  by rewrite mulr1.
rewrite gauss_expectZ; last exact: gauss_integrable1.
by rewrite -/(gauss_mass m s) gauss_mass_one// mulr1.
Qed.

(** * Mean, variance and polynomial moments of N(m, s^2) *)

Section normalised_moments.
Variables (m s : R).
Hypothesis s0 : 0 < s.

Let mass1 : gauss_expect m s (fun=> 1) = 1 := gauss_mass_one m s0.

(** Expectation of a polynomial of degree at most 4 in [x - m], from the
    central moments: odd ones vanish, E[(x-m)^2] = s^2, E[(x-m)^4] = 3 s^4. *)
Lemma gauss_expect_cpoly (c0 c1 c2 c3 c4 : R) :
  gauss_expect m s (fun x => c0 + c1 * (x - m) + c2 * (x - m) ^+ 2
    + c3 * (x - m) ^+ 3 + c4 * (x - m) ^+ 4) =
  c0 + c2 * s ^+ 2 + 3%:R * c4 * s ^+ 4.
Proof.
have I k c : gauss_integrable m s (fun x => c * (x - m) ^+ k).
  exact: gauss_integrableZ (gauss_integrable_cpow m k s0).
rewrite (@gauss_expect_ext _ _ _ (fun x => c0 * (x - m) ^+ 0 + c1 * (x - m) ^+ 1
    + c2 * (x - m) ^+ 2 + c3 * (x - m) ^+ 3 + c4 * (x - m) ^+ 4)); last first.
  by move=> x; rewrite expr0 mulr1 expr1.
have I01 := gauss_integrableD (I 0%N c0) (I 1%N c1).
have I012 := gauss_integrableD I01 (I 2%N c2).
have I0123 := gauss_integrableD I012 (I 3%N c3).
rewrite !gauss_expectD// !gauss_expectZ; try by apply: gauss_integrable_cpow.
have E0 : gauss_expect m s (fun x => (x - m) ^+ 0) = 1.
  by rewrite -mass1; apply: gauss_expect_ext => x; rewrite expr0.
have E1 : gauss_expect m s (fun x => (x - m) ^+ 1) = 0.
  by rewrite -(gauss_mean0 m s0); apply: gauss_expect_ext => x; rewrite expr1.
rewrite E0 E1 gauss_moment2// gauss_moment3// gauss_moment4// mass1.
by to_std; ring.
Qed.

Lemma gauss_mean : gauss_expect m s (fun x => x) = m.
Proof.
rewrite (@gauss_expect_ext _ _ _ (fun x => m + 1 * (x - m) + 0 * (x - m) ^+ 2
    + 0 * (x - m) ^+ 3 + 0 * (x - m) ^+ 4)); last first.
  by move=> x; rewrite !mul0r !addr0 mul1r addrC subrK.
by rewrite gauss_expect_cpoly; to_std; ring.
Qed.

Lemma gauss_variance : gauss_expect m s (fun x => (x - m) ^+ 2) = s ^+ 2.
Proof. by rewrite gauss_moment2// mass1 mulr1. Qed.

Lemma gauss_second_moment :
  gauss_expect m s (fun x => x ^+ 2) = s ^+ 2 + m ^+ 2.
Proof.
rewrite (@gauss_expect_ext _ _ _ (fun x => m ^+ 2 + (2%:R * m) * (x - m)
    + 1 * (x - m) ^+ 2 + 0 * (x - m) ^+ 3 + 0 * (x - m) ^+ 4)); last first.
  by move=> x; to_std; ring.
by rewrite gauss_expect_cpoly; to_std; ring.
Qed.

End normalised_moments.
